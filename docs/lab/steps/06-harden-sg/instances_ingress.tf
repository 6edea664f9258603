# Step 6 (replaces step 1's file): the instances accept HTTP only from the ALB's security group.
# No description: moto drops it on SG-referencing rules and the next plan would show a diff.
resource "aws_vpc_security_group_ingress_rule" "instances_http" {
  security_group_id            = aws_security_group.instances.id
  ip_protocol                  = "tcp"
  from_port                    = 80
  to_port                      = 80
  referenced_security_group_id = aws_security_group.alb.id
}
