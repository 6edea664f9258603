output "vpc_id" {
  description = "VPC ID."
  value       = aws_vpc.this.id
}

output "vpc_cidr_block" {
  description = "The VPC's CIDR block (known at plan)."
  value       = aws_vpc.this.cidr_block
}

output "public_subnet_ids" {
  description = "The public subnets, one per availability zone, for the ALB."
  # From the route table associations, so that the ALB waits for the internet route: an internet-facing ALB in a
  # VPC without an attached internet gateway fails to create on AWS.
  value = [for k in keys(var.instances) : aws_route_table_association.public[k].subnet_id]
}

output "instance_ids" {
  description = "Instance IDs keyed by the instances' stable names."
  value       = { for k, i in aws_instance.web : k => i.id }
}

output "health_check" {
  description = "A health check for the demo app: its path, and fast enough that a failed instance leaves its target group within ~10 s (2 failures x 5 s)."
  value = {
    path                = var.health_path
    interval            = 5
    timeout             = 2
    healthy_threshold   = 2
    unhealthy_threshold = 2
  }
}

output "targets" {
  description = "The instances as a target group's targets (keyed like the instances), for the ALB module."
  value       = { for k, i in aws_instance.web : k => { target_id = i.id } }
}
