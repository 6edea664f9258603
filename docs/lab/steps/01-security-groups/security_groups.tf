# Step 1: two security groups. The ALB's accepts HTTP from anywhere; the instances' is attached to both
# web servers (web_override.tf). Its ingress lives in its own file so that step 6 can replace it.
resource "aws_security_group" "alb" {
  name        = "${var.name}-alb"
  description = "ALB: HTTP from anywhere"
  vpc_id      = aws_vpc.lab.id
  tags        = { Name = "${var.name}-alb" }
}

resource "aws_vpc_security_group_ingress_rule" "alb_http" {
  security_group_id = aws_security_group.alb.id
  description       = "HTTP from anywhere"
  ip_protocol       = "tcp"
  from_port         = 80
  to_port           = 80
  cidr_ipv4         = "0.0.0.0/0"
}

resource "aws_vpc_security_group_egress_rule" "alb_to_instances" {
  security_group_id            = aws_security_group.alb.id
  ip_protocol                  = "tcp"
  from_port                    = 80
  to_port                      = 80
  referenced_security_group_id = aws_security_group.instances.id
}

resource "aws_security_group" "instances" {
  name        = "${var.name}-instances"
  description = "Web instances"
  vpc_id      = aws_vpc.lab.id
  tags        = { Name = "${var.name}-instances" }
}

resource "aws_vpc_security_group_egress_rule" "instances_all" {
  security_group_id = aws_security_group.instances.id
  description       = "Updates and replies"
  ip_protocol       = "-1"
  cidr_ipv4         = "0.0.0.0/0"
}

output "security_group_ids" {
  value = { alb = aws_security_group.alb.id, instances = aws_security_group.instances.id }
}
