locals {
  is_lambda = var.target_type == "lambda"
  # The API rejects the attribute for any other algorithm, so leave it unset there.
  anomaly_mitigation = var.load_balancing_algorithm == "weighted_random" && !local.is_lambda ? (
    var.load_balancing_anomaly_mitigation ? "on" : "off"
  ) : null
}

resource "aws_lb_target_group" "this" {
  name             = var.name
  target_type      = var.target_type
  vpc_id           = local.is_lambda ? null : var.vpc_id
  port             = local.is_lambda ? null : var.port
  protocol         = local.is_lambda ? null : var.protocol
  protocol_version = local.is_lambda ? null : var.protocol_version

  load_balancing_algorithm_type     = local.is_lambda ? null : var.load_balancing_algorithm
  load_balancing_anomaly_mitigation = local.anomaly_mitigation
  slow_start                        = local.is_lambda ? null : var.slow_start
  deregistration_delay              = var.deregistration_delay

  health_check {
    enabled             = var.health_check.enabled
    path                = var.health_check.path
    port                = local.is_lambda ? null : var.health_check.port
    protocol            = local.is_lambda ? null : var.health_check.protocol
    matcher             = var.health_check.matcher
    interval            = var.health_check.interval
    timeout             = var.health_check.timeout
    healthy_threshold   = var.health_check.healthy_threshold
    unhealthy_threshold = var.health_check.unhealthy_threshold
  }

  dynamic "stickiness" {
    for_each = var.stickiness == null ? [] : [var.stickiness]
    content {
      type            = stickiness.value.type
      enabled         = stickiness.value.enabled
      cookie_duration = stickiness.value.cookie_duration
      cookie_name     = stickiness.value.type == "app_cookie" ? stickiness.value.cookie_name : null
    }
  }

  tags = var.tags

  lifecycle {
    precondition {
      condition     = local.is_lambda ? var.port == null : var.port != null
      error_message = "Target group ${var.name}: port is required for target_type ${var.target_type} and must be null for lambda."
    }
    precondition {
      condition     = local.is_lambda || var.vpc_id != null
      error_message = "Target group ${var.name}: vpc_id is required for target_type ${var.target_type}."
    }
    precondition {
      condition     = var.slow_start == 0 || var.load_balancing_algorithm == "round_robin"
      error_message = "Target group ${var.name}: slow_start cannot be combined with load_balancing_algorithm ${var.load_balancing_algorithm}; use round_robin or slow_start = 0."
    }
    precondition {
      condition     = !var.load_balancing_anomaly_mitigation || var.load_balancing_algorithm == "weighted_random"
      error_message = "Target group ${var.name}: load_balancing_anomaly_mitigation requires load_balancing_algorithm = weighted_random."
    }
  }
}

resource "aws_lb_target_group_attachment" "this" {
  for_each = var.targets

  target_group_arn  = aws_lb_target_group.this.arn
  target_id         = each.value.target_id
  port              = local.is_lambda ? null : coalesce(each.value.port, var.port)
  availability_zone = each.value.availability_zone
}
