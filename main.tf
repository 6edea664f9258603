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
  listener_ports           = [for l in values(var.listeners) : l.port]
  target_ports             = local.target_ports
  ip_targets               = local.ip_targets
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

  # Cross-variable checks: they fail the plan, so nothing is created.
  lifecycle {
    precondition {
      condition     = length(local.unknown_forward_keys) == 0
      error_message = "listeners: forward/weighted_forward to unknown target group keys ${jsonencode(local.unknown_forward_keys)}; target_groups has ${jsonencode(keys(var.target_groups))}."
    }
    precondition {
      condition     = length(local.bad_tg_names) == 0
      error_message = "Target group names must be 1-32 characters of [A-Za-z0-9-] (the default is \"<name>-<key>\"; set target_groups[*].name to shorten): ${join(", ", local.bad_tg_names)}."
    }
    precondition {
      condition     = length(distinct(values(local.tg_names))) == length(local.tg_names)
      error_message = "Target group names must be unique: ${jsonencode(local.tg_names)}."
    }
    precondition {
      condition     = var.associate_web_acl ? var.web_acl_arn != null : true
      error_message = "associate_web_acl = true needs web_acl_arn."
    }
  }
}

module "target_group" {
  source   = "./modules/target-group"
  for_each = var.target_groups

  name                              = local.tg_names[each.key]
  vpc_id                            = var.vpc_id
  target_type                       = each.value.target_type
  port                              = each.value.port
  protocol                          = each.value.protocol
  protocol_version                  = each.value.protocol_version
  health_check                      = each.value.health_check
  stickiness                        = each.value.stickiness
  load_balancing_algorithm          = each.value.load_balancing_algorithm
  load_balancing_anomaly_mitigation = each.value.load_balancing_anomaly_mitigation
  slow_start                        = each.value.slow_start
  deregistration_delay              = each.value.deregistration_delay
  targets                           = each.value.targets
  tags                              = merge(var.tags, each.value.tags)
}

resource "aws_lb_listener" "this" {
  #checkov:skip=CKV_AWS_2:HTTP listeners are allowed on purpose (redirects, internal ALBs); HTTPS listeners require a certificate (validated).
  #checkov:skip=CKV_AWS_103:ssl_policy defaults to ELBSecurityPolicy-TLS13-1-2-2021-06 (TLS 1.2+); checkov cannot see a variable's default.
  for_each = var.listeners

  load_balancer_arn = aws_lb.this.arn
  port              = each.value.port
  protocol          = each.value.protocol
  certificate_arn   = each.value.protocol == "HTTPS" ? each.value.certificate_arn : null
  ssl_policy        = each.value.protocol == "HTTPS" ? each.value.ssl_policy : null
  tags              = merge(var.tags, each.value.tags)

  dynamic "default_action" {
    for_each = each.value.default_action.forward != null ? [each.value.default_action.forward] : []
    content {
      type             = "forward"
      target_group_arn = lookup(local.target_group_arns, default_action.value.target_group_key, null)
    }
  }

  dynamic "default_action" {
    for_each = each.value.default_action.weighted_forward != null ? [each.value.default_action.weighted_forward] : []
    content {
      type = "forward"
      forward {
        dynamic "target_group" {
          for_each = default_action.value.target_groups
          content {
            arn    = lookup(local.target_group_arns, target_group.key, null)
            weight = target_group.value.weight
          }
        }
        dynamic "stickiness" {
          for_each = default_action.value.stickiness != null ? [default_action.value.stickiness] : []
          content {
            enabled  = stickiness.value.enabled
            duration = stickiness.value.duration
          }
        }
      }
    }
  }

  dynamic "default_action" {
    for_each = each.value.default_action.redirect != null ? [each.value.default_action.redirect] : []
    content {
      type = "redirect"
      redirect {
        protocol    = default_action.value.protocol
        port        = default_action.value.port
        host        = default_action.value.host
        path        = default_action.value.path
        query       = default_action.value.query
        status_code = default_action.value.status_code
      }
    }
  }

  dynamic "default_action" {
    for_each = each.value.default_action.fixed_response != null ? [each.value.default_action.fixed_response] : []
    content {
      type = "fixed-response"
      fixed_response {
        status_code  = default_action.value.status_code
        content_type = default_action.value.content_type
        message_body = default_action.value.message_body
      }
    }
  }
}

# SNI certificates keyed "<listener_key>/<name>": adding or removing one never touches the others.
resource "aws_lb_listener_certificate" "this" {
  for_each = local.listener_certificates

  listener_arn    = aws_lb_listener.this[each.value.listener_key].arn
  certificate_arn = each.value.certificate_arn
}

module "listener_rules" {
  source   = "./modules/listener-rules"
  for_each = var.listeners

  listener_arn      = aws_lb_listener.this[each.key].arn
  target_group_arns = local.target_group_arns
  rules             = each.value.rules
  tags              = var.tags
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
