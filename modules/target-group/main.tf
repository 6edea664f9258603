locals {
  path   = var.error_context.path
  caller = var.error_context.caller == "" ? "" : " (${var.error_context.caller})"

  is_lambda = var.target_type == "lambda"
  is_grpc   = var.protocol_version == "GRPC"
  # The API rejects the attribute for any other algorithm, so leave it unset there.
  anomaly_mitigation = var.load_balancing_algorithm == "weighted_random" && !local.is_lambda ? (
    var.load_balancing_anomaly_mitigation ? "on" : "off"
  ) : null

  # AWS's own defaults differ for gRPC groups (path and gRPC status code).
  health_check_path    = coalesce(var.health_check.path, local.is_grpc ? "/AWS.ALB/healthcheck" : "/")
  health_check_matcher = coalesce(var.health_check.matcher, local.is_grpc ? "12" : "200")
  health_check_port    = var.health_check.port == "traffic-port" ? null : try(tonumber(var.health_check.port), null)

  # IPv4 targets as numbers, to place them in ranges without a CIDR function. Per target, so one target whose
  # address is unknown at plan leaves the others checkable.
  ipv4 = "^((25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])\\.){3}(25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])$"
  ip_number = {
    for k, t in var.targets : k => try(sum([for i, o in split(".", t.target_id) : tonumber(o) * pow(256, 3 - i)]), null)
  }
  # RFC 1918 and RFC 6598: the only addresses outside the VPC an ALB may register.
  private_ranges = ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10"]
  ranges = {
    for c in distinct(concat(local.private_ranges, var.vpc_cidr_blocks)) : c => {
      first = sum([for i, o in split(".", cidrhost(c, 0)) : tonumber(o) * pow(256, 3 - i)])
      size  = pow(2, 32 - tonumber(split("/", c)[1]))
    }
  }
  is_private = { for k, n in local.ip_number : k => n == null ? false : anytrue([
    for c in local.private_ranges : n >= local.ranges[c].first && n < local.ranges[c].first + local.ranges[c].size
  ]) }
  in_vpc = { for k, n in local.ip_number : k => n == null ? false : anytrue([
    for c in var.vpc_cidr_blocks : n >= local.ranges[c].first && n < local.ranges[c].first + local.ranges[c].size
  ]) }

  target_kind = {
    instance = { pattern = "^i-([0-9a-f]{8}|[0-9a-f]{17})$", what = "an instance ID (i-...)" }
    ip       = { pattern = local.ipv4, what = "an IPv4 address" }
    lambda   = { pattern = "^arn:aws[a-z-]*:lambda:[a-z0-9-]+:[0-9]{12}:function:[A-Za-z0-9_-]+(:[A-Za-z0-9_$-]+)?$", what = "a Lambda function ARN" }
  }

  # Ports the ALB must reach: the traffic port, per-target overrides and a fixed health-check port. Lambda
  # targets are invoked by the service, not over the network: none.
  ports = local.is_lambda ? [] : distinct(concat(
    var.port == null ? [] : [var.port],
    [for t in values(var.targets) : t.port if t.port != null],
    local.health_check_port == null ? [] : [local.health_check_port],
  ))

  # The group's name changes with the fields whose change replaces it (the provider's ForceNew fields), so the
  # replacement can be created beside the old group (create_before_destroy): AWS keeps names unique per account
  # and region, and refuses to delete a group a listener or rule still uses (ResourceInUse). Four hex digits of
  # those fields follow the name, cut to keep it within 32 characters; exact_name keeps the name as given. The
  # VPC is left out so that the name is known at plan (a VPC is usually created in the same apply); moving a
  # group to another VPC needs a new name.
  replacement_fields = jsonencode([var.name, var.target_type, local.is_lambda ? null : [var.port, var.protocol, var.protocol_version]])
  name               = var.exact_name ? var.name : format("%s-%s", trimsuffix(substr(var.name, 0, 27), "-"), substr(sha1(local.replacement_fields), 0, 4))
}

resource "aws_lb_target_group" "this" {
  name             = local.name
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
    path                = local.health_check_path
    port                = local.is_lambda ? null : var.health_check.port
    protocol            = local.is_lambda ? null : var.health_check.protocol
    matcher             = local.health_check_matcher
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

  # A replacement is created first and the old group deleted once nothing uses it (see local.name).
  lifecycle {
    create_before_destroy = true
  }
}

resource "aws_lb_target_group_attachment" "this" {
  for_each = var.targets

  target_group_arn  = aws_lb_target_group.this.arn
  target_id         = each.value.target_id
  port              = local.is_lambda ? null : coalesce(each.value.port, var.port)
  availability_zone = each.value.availability_zone

  # Per target, against the group's type and (when given) the VPC's CIDRs. An ID unknown at plan is checked at
  # apply, before the attachment is created. A replaced group gets its targets registered before the listeners
  # switch to it (output arn waits for them), and the old registrations stay until the old group goes.
  lifecycle {
    create_before_destroy = true

    precondition {
      condition     = can(regex(local.target_kind[var.target_type].pattern, each.value.target_id))
      error_message = "A target's target_id must match the group's target_type ${var.target_type}: ${local.target_kind[var.target_type].what}${local.caller}: ${local.path}targets[\"${each.key}\"].target_id = \"${each.value.target_id}\"."
    }
    precondition {
      condition = (var.target_type == "instance" ? each.value.availability_zone == null
      : var.target_type == "lambda" ? (each.value.availability_zone == null || each.value.availability_zone == "all") : true)
      error_message = "A target's availability_zone is not allowed in instance groups and can only be \"all\" in lambda groups${local.caller}: ${local.path}targets[\"${each.key}\"].availability_zone = \"${coalesce(each.value.availability_zone, "null")}\" (target_type ${var.target_type})."
    }
    precondition {
      condition     = var.target_type != "ip" || each.value.availability_zone != "all" || (local.is_private[each.key] && !local.in_vpc[each.key])
      error_message = "availability_zone = \"all\" is for addresses outside the VPC, and those must be private (10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16, 100.64.0.0/10)${local.caller}: ${local.path}targets[\"${each.key}\"].target_id = \"${each.value.target_id}\"."
    }
    precondition {
      condition     = var.target_type != "ip" || length(var.vpc_cidr_blocks) == 0 || local.in_vpc[each.key] || each.value.availability_zone == "all"
      error_message = "An ip target outside the VPC (vpc_cidr_blocks ${join(", ", var.vpc_cidr_blocks)}) needs availability_zone = \"all\"${local.caller}: ${local.path}targets[\"${each.key}\"].target_id = \"${each.value.target_id}\"."
    }
  }
}
