# Step 1: for now the instances accept HTTP from anywhere, so we can test them directly.
resource "aws_vpc_security_group_ingress_rule" "instances_http" {
  security_group_id = aws_security_group.instances.id
  description       = "HTTP from anywhere (testing only)"
  ip_protocol       = "tcp"
  from_port         = 80
  to_port           = 80
  cidr_ipv4         = "0.0.0.0/0"
}
