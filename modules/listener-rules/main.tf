locals {
  # Empty lists and maps dropped, so the routing table shows only the conditions a rule really has.
  conditions = { for k, r in var.rules : k => { for name, values in r.conditions : name => values if length(values) > 0 } }

  # A conditional cannot return objects of different shapes, a tuple indexed by a known number can.
  action_kinds = {
    for k, r in var.rules : k => (
      r.action.forward != null ? 0 : r.action.weighted_forward != null ? 1 : r.action.redirect != null ? 2 : 3
    )
  }
  actions = {
    for k, r in var.rules : k => [
      { type = "forward", target_group_key = try(r.action.forward.target_group_key, null) },
      {
        type          = "weighted_forward"
        target_groups = try({ for tg, v in r.action.weighted_forward.target_groups : tg => v.weight }, null)
        stickiness    = try(r.action.weighted_forward.stickiness, null)
      },
      merge({ type = "redirect" }, r.action.redirect),
      merge({ type = "fixed_response" }, r.action.fixed_response),
    ][local.action_kinds[k]]
  }

  # sort() is lexical: zero-padding the priority makes it numeric.
  evaluation_order = [for s in sort([for k, r in var.rules : format("%05d/%s", r.priority, k)]) : substr(s, 6, -1)]

  referenced_tg_keys = distinct(flatten([for r in values(var.rules) : concat(
    r.action.forward != null ? [r.action.forward.target_group_key] : [],
    r.action.weighted_forward != null ? keys(r.action.weighted_forward.target_groups) : [],
  )]))
  unknown_tg_keys = [for k in local.referenced_tg_keys : k if !contains(keys(var.target_group_arns), k)]
}

resource "aws_lb_listener_rule" "this" {
  for_each = var.rules

  listener_arn = var.listener_arn
  priority     = each.value.priority
  tags         = merge(var.tags, each.value.tags)

  dynamic "action" {
    for_each = each.value.action.forward != null ? [each.value.action.forward] : []
    content {
      type             = "forward"
      target_group_arn = lookup(var.target_group_arns, action.value.target_group_key, null)
    }
  }

  dynamic "action" {
    for_each = each.value.action.weighted_forward != null ? [each.value.action.weighted_forward] : []
    content {
      type = "forward"
      forward {
        dynamic "target_group" {
          for_each = action.value.target_groups
          content {
            arn    = lookup(var.target_group_arns, target_group.key, null)
            weight = target_group.value.weight
          }
        }
        dynamic "stickiness" {
          for_each = action.value.stickiness != null ? [action.value.stickiness] : []
          content {
            enabled  = stickiness.value.enabled
            duration = stickiness.value.duration
          }
        }
      }
    }
  }

  dynamic "action" {
    for_each = each.value.action.redirect != null ? [each.value.action.redirect] : []
    content {
      type = "redirect"
      redirect {
        protocol    = action.value.protocol
        port        = action.value.port
        host        = action.value.host
        path        = action.value.path
        query       = action.value.query
        status_code = action.value.status_code
      }
    }
  }

  dynamic "action" {
    for_each = each.value.action.fixed_response != null ? [each.value.action.fixed_response] : []
    content {
      type = "fixed-response"
      fixed_response {
        status_code  = action.value.status_code
        content_type = action.value.content_type
        message_body = action.value.message_body
      }
    }
  }

  dynamic "condition" {
    for_each = length(each.value.conditions.path_pattern) > 0 ? [each.value.conditions.path_pattern] : []
    content {
      path_pattern {
        values = condition.value
      }
    }
  }

  dynamic "condition" {
    for_each = length(each.value.conditions.host_header) > 0 ? [each.value.conditions.host_header] : []
    content {
      host_header {
        values = condition.value
      }
    }
  }

  dynamic "condition" {
    for_each = length(each.value.conditions.http_request_method) > 0 ? [each.value.conditions.http_request_method] : []
    content {
      http_request_method {
        values = condition.value
      }
    }
  }

  dynamic "condition" {
    for_each = length(each.value.conditions.source_ip) > 0 ? [each.value.conditions.source_ip] : []
    content {
      source_ip {
        values = condition.value
      }
    }
  }

  # One condition per header name: ALB matches a header condition against a single name.
  dynamic "condition" {
    for_each = each.value.conditions.http_headers
    content {
      http_header {
        http_header_name = condition.key
        values           = condition.value
      }
    }
  }

  dynamic "condition" {
    for_each = length(each.value.conditions.query_strings) > 0 ? [each.value.conditions.query_strings] : []
    content {
      dynamic "query_string" {
        for_each = condition.value
        content {
          key   = query_string.value.key
          value = query_string.value.value
        }
      }
    }
  }

  lifecycle {
    precondition {
      condition     = length(local.unknown_tg_keys) == 0
      error_message = "Rules forward to unknown target group keys: ${join(", ", local.unknown_tg_keys)}; target_group_arns has: ${join(", ", keys(var.target_group_arns))}."
    }
  }
}
