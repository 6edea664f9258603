# The provider's partition and region, read at plan: ARNs the module is given must be in them. The region's
# name is its id (the attribute every provider version has).
data "aws_partition" "current" {}
data "aws_region" "current" {}

module "security_groups" {
  source = "./modules/security-groups"

  name                     = var.name
  vpc_id                   = var.vpc_id
  create                   = var.security_groups.create
  create_rules             = var.security_groups.create_rules
  alb_security_group_id    = var.security_groups.alb_security_group_id
  target_security_group_id = var.security_groups.target_security_group_id
  ingress_cidr_ipv4        = var.security_groups.ingress_cidr_ipv4
  ingress_cidr_ipv6        = var.security_groups.ingress_cidr_ipv6
  ingress_prefix_list_ids  = var.security_groups.ingress_prefix_list_ids
  ingress_prefix_lists     = var.security_groups.ingress_prefix_lists
  listener_ports           = local.listener_ports
  target_ports             = local.target_ports
  ip_targets               = local.ip_targets
  error_context            = { path = "security_groups.", caller = local.caller, checked = local.checked }
  tags                     = var.tags
}

resource "aws_lb" "this" {
  #checkov:skip=CKV_AWS_91:Access logging is the caller's choice (var.access_logs): it needs a bucket with an ELB write policy.
  #checkov:skip=CKV2_AWS_28:WAF is the caller's choice (var.associate_web_acl + web_acl_arn); a web ACL is not this module's to create.
  #checkov:skip=CKV2_AWS_20:HTTP-to-HTTPS redirection is the caller's choice of listeners (see examples/https).
  name                       = var.name
  load_balancer_type         = "application"
  internal                   = var.internal
  ip_address_type            = var.ip_address_type
  subnets                    = var.subnet_ids
  security_groups            = concat([module.security_groups.alb_security_group_id], var.security_groups.additional_alb_security_group_ids)
  idle_timeout               = var.idle_timeout
  enable_deletion_protection = var.enable_deletion_protection
  drop_invalid_header_fields = var.drop_invalid_header_fields
  desync_mitigation_mode     = var.desync_mitigation_mode
  xff_header_processing_mode = var.xff_header_processing_mode
  preserve_host_header       = var.preserve_host_header
  enable_http2               = var.enable_http2

  dynamic "access_logs" {
    for_each = var.access_logs != null ? [var.access_logs] : []
    content {
      bucket  = access_logs.value.bucket
      prefix  = access_logs.value.prefix
      enabled = access_logs.value.enabled
    }
  }

  tags = merge(var.tags, { Name = var.name })
}

# Each target group's fields are passed through as written; modules/target-group holds their defaults and checks.
module "target_group" {
  source   = "./modules/target-group"
  for_each = var.target_groups

  name                              = local.tg_names[each.key]
  exact_name                        = lookup(each.value, "exact_name", null)
  vpc_id                            = var.vpc_id
  vpc_cidr_blocks                   = var.vpc_cidr_blocks
  target_type                       = lookup(each.value, "target_type", null)
  port                              = lookup(each.value, "port", null)
  protocol                          = lookup(each.value, "protocol", null)
  protocol_version                  = lookup(each.value, "protocol_version", null)
  health_check                      = lookup(each.value, "health_check", null)
  stickiness                        = lookup(each.value, "stickiness", null)
  load_balancing_algorithm          = lookup(each.value, "load_balancing_algorithm", null)
  load_balancing_anomaly_mitigation = lookup(each.value, "load_balancing_anomaly_mitigation", null)
  slow_start                        = lookup(each.value, "slow_start", null)
  deregistration_delay              = lookup(each.value, "deregistration_delay", null)
  targets                           = lookup(each.value, "targets", null)
  partition_and_region              = local.partition_and_region
  error_context                     = { path = "target_groups[\"${each.key}\"].", caller = local.caller, checked = local.checked }
  tags                              = merge(var.tags, lookup(each.value, "tags", {}))
}

# Each listener with its certificates, default action and rules; modules/listener and modules/listener-rules hold
# their defaults and checks.
module "listener" {
  source   = "./modules/listener"
  for_each = var.listeners

  load_balancer_arn           = aws_lb.this.arn
  port                        = lookup(each.value, "port", null)
  protocol                    = lookup(each.value, "protocol", null)
  certificate_arn             = lookup(each.value, "certificate_arn", null)
  additional_certificate_arns = lookup(each.value, "additional_certificate_arns", null)
  ssl_policy                  = lookup(each.value, "ssl_policy", null)
  additional_ssl_policies     = lookup(each.value, "additional_ssl_policies", null)
  reserved_priorities         = lookup(each.value, "reserved_priorities", null)
  default_action              = lookup(each.value, "default_action", null)
  rules                       = lookup(each.value, "rules", null)
  target_group_arns           = local.target_group_arns
  target_group_protocols      = { for k, m in module.target_group : k => m.protocol_version }
  partition_and_region        = local.partition_and_region
  error_context               = { path = "listeners[\"${each.key}\"].", caller = local.caller, checked = local.checked }
  tags                        = merge(var.tags, lookup(each.value, "tags", {}))
}

resource "aws_wafv2_web_acl_association" "this" {
  count = var.associate_web_acl ? 1 : 0

  resource_arn = aws_lb.this.arn
  web_acl_arn  = var.web_acl_arn
}

resource "aws_route53_record" "this" {
  for_each = var.route53_records

  zone_id = each.value.zone_id
  name    = each.value.name
  type    = each.value.type

  alias {
    name                   = aws_lb.this.dns_name
    zone_id                = aws_lb.this.zone_id
    evaluate_target_health = each.value.evaluate_target_health
  }
}
