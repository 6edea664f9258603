# Inputs for the module's security_groups object that the other examples leave at their defaults.

# The office's egress ranges, maintained in one prefix list that any SG can reference.
resource "aws_ec2_managed_prefix_list" "office" {
  name           = "${var.name}-office"
  address_family = "IPv4"
  max_entries    = 5
  tags           = local.tags

  dynamic "entry" {
    for_each = toset(var.office_cidrs)
    content {
      cidr        = entry.value
      description = "office"
    }
  }
}

# An extra SG attached to the ALB next to the module's own: lets an external uptime monitor in on 443.
resource "aws_security_group" "monitoring" {
  #checkov:skip=CKV2_AWS_5:Attached to the ALB through module.alb's additional_alb_security_group_ids, which checkov cannot follow.
  name        = "${var.name}-monitoring"
  description = "Uptime monitor to the ALB on HTTPS"
  vpc_id      = module.scaffold.vpc_id
  tags        = merge(local.tags, { Name = "${var.name}-monitoring" })
}

resource "aws_vpc_security_group_ingress_rule" "monitoring_https" {
  for_each = toset(var.monitoring_cidrs)

  security_group_id = aws_security_group.monitoring.id
  description       = "uptime monitor"
  cidr_ipv4         = each.value
  ip_protocol       = "tcp"
  from_port         = 443
  to_port           = 443
}
