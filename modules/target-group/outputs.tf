output "arn" {
  description = "Target group ARN, known to dependents only once the group's targets are registered: a listener or rule never switches to a group without targets."
  value       = aws_lb_target_group.this.arn
  depends_on  = [aws_lb_target_group_attachment.this]
}

output "arn_suffix" {
  description = "Target group ARN suffix, for CloudWatch metrics."
  value       = aws_lb_target_group.this.arn_suffix
}

output "name" {
  description = "Target group name."
  value       = aws_lb_target_group.this.name
}

output "attachment_ids" {
  description = "Attachment IDs keyed by the targets map's keys."
  value       = { for k, a in aws_lb_target_group_attachment.this : k => a.id }
}

output "protocol_version" {
  description = "The protocol version requests reach the targets with (HTTP1, HTTP2, GRPC); null for lambda."
  value       = local.is_lambda ? null : var.protocol_version
}

output "ports" {
  description = "Ports the load balancer must reach (traffic, per-target and health-check ports), known at plan; empty for lambda."
  value       = local.ports
}

output "external_ip_targets" {
  description = "IP targets outside the VPC (availability_zone = \"all\"), keyed by target key: {ip, port, health_check_port}. They carry no security group, so the ALB's SG needs an egress rule to each."
  value = {
    for k, t in var.targets : k => {
      ip                = t.target_id
      port              = t.port != null ? t.port : var.port
      health_check_port = local.health_check_port
    } if var.target_type == "ip" && t.availability_zone == "all"
  }
}
