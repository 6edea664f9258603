locals {
  path   = var.error_context.path
  caller = var.error_context.caller == "" ? "" : " (${var.error_context.caller})"
}

resource "aws_lb_listener" "this" {
  #checkov:skip=CKV_AWS_2:HTTP listeners are allowed on purpose (redirects, internal ALBs); HTTPS listeners require a certificate (validated).
  #checkov:skip=CKV_AWS_103:ssl_policy defaults to ELBSecurityPolicy-TLS13-1-2-2021-06 (TLS 1.2+); checkov cannot see a variable's default.
  load_balancer_arn = var.load_balancer_arn
  port              = var.port
  protocol          = var.protocol
  certificate_arn   = var.protocol == "HTTPS" ? var.certificate_arn : null
  ssl_policy        = var.protocol == "HTTPS" ? var.ssl_policy : null
  tags              = var.tags

  # Rendered by the rules module, which checks the default action together with the rules' actions.
  dynamic "default_action" {
    for_each = module.rules.default_action == null ? [] : [module.rules.default_action]
    content {
      type             = default_action.value.type
      target_group_arn = default_action.value.target_group_arn

      dynamic "forward" {
        for_each = default_action.value.forward
        content {
          dynamic "target_group" {
            for_each = forward.value.target_groups
            content {
              arn    = target_group.value.arn
              weight = target_group.value.weight
            }
          }
          dynamic "stickiness" {
            for_each = forward.value.stickiness
            content {
              enabled  = stickiness.value.enabled
              duration = stickiness.value.duration
            }
          }
        }
      }

      dynamic "redirect" {
        for_each = default_action.value.redirect
        content {
          protocol    = redirect.value.protocol
          port        = redirect.value.port
          host        = redirect.value.host
          path        = redirect.value.path
          query       = redirect.value.query
          status_code = redirect.value.status_code
        }
      }

      dynamic "fixed_response" {
        for_each = default_action.value.fixed_response
        content {
          status_code  = fixed_response.value.status_code
          content_type = fixed_response.value.content_type
          message_body = fixed_response.value.message_body
        }
      }
    }
  }
}

# SNI certificates keyed by your names: adding or removing one never touches the others.
resource "aws_lb_listener_certificate" "this" {
  for_each = var.protocol == "HTTPS" ? var.additional_certificate_arns : {}

  listener_arn    = aws_lb_listener.this.arn
  certificate_arn = each.value

  # A certificate replaced under the same name is added before the old one is removed: clients asking for its
  # names never fall back to the default certificate in between.
  lifecycle {
    create_before_destroy = true
  }
}

module "rules" {
  source = "../listener-rules"

  listener_arn           = aws_lb_listener.this.arn
  listener_protocol      = var.protocol
  listener_port          = var.port
  target_group_arns      = var.target_group_arns
  target_group_protocols = var.target_group_protocols
  partition_and_region   = { partition = local.partition, region = local.region }
  default_action         = var.default_action
  rules                  = var.rules
  reserved_priorities    = var.reserved_priorities
  # The listener's tags are checked here: the rules check only their own.
  error_context = merge(var.error_context, { checked = merge(var.error_context.checked, { tags = var.tags }) })
  tags          = var.tags
}
