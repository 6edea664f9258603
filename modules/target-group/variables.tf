variable "name" {
  description = "Target group name: 1-32 characters, letters, digits and hyphens, not starting or ending with a hyphen. The group is called \"<name cut to 27 characters>-<4 hex digits>\", the digits derived from the fields whose change replaces the group, unless exact_name is true."
  type        = string
  nullable    = false

  validation {
    condition     = length(var.name) <= 32 && can(regex("^[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?$", var.name))
    error_message = "Target group names must be 1-32 characters of [A-Za-z0-9-], not starting or ending with \"-\" (the root module names a group \"<name>-<key>\" unless target_groups[*].name is set)${local.caller}: ${local.path}name = \"${var.name}\"."
  }
}

variable "vpc_id" {
  description = "VPC of the target group. Required for instance and ip targets, ignored for lambda."
  type        = string
  default     = null

  validation {
    condition     = var.target_type == "lambda" || !anytrue([var.vpc_id == null])
    error_message = "vpc_id is required for instance and ip target groups${local.caller}: ${local.path}vpc_id is not set."
  }
  validation {
    condition = (var.vpc_id == null || var.vpc_id == var.error_context.checked.vpc_id
    || can(regex("^vpc-([0-9a-f]{8}|[0-9a-f]{17})$", var.vpc_id)))
    error_message = "vpc_id must be a VPC ID, vpc- and 8 or 17 hex digits (not the VPC's name, CIDR or ARN)${local.caller}: ${local.path}vpc_id = \"${coalesce(var.vpc_id, "null")}\"."
  }
}

variable "vpc_cidr_blocks" {
  description = <<-EOT
    The VPC's CIDR blocks (primary and secondary), optional. With them, ip targets are checked at plan against the
    VPC: an address outside it needs availability_zone = "all", an address inside it must not have it.
  EOT
  type        = list(string)
  default     = []
  nullable    = false

  validation {
    condition     = alltrue([for c in var.vpc_cidr_blocks : can(cidrhost(c, 0)) && !strcontains(c, ":")])
    error_message = format("vpc_cidr_blocks must hold IPv4 CIDRs%s: %s.", local.caller, join(", ", [for c in var.vpc_cidr_blocks : "\"${c}\"" if !(can(cidrhost(c, 0)) && !strcontains(c, ":"))]))
  }
}

variable "target_type" {
  description = "What the target group routes to: instance, ip or lambda."
  type        = string
  default     = "instance"
  nullable    = false

  validation {
    condition     = contains(["instance", "ip", "lambda"], var.target_type)
    error_message = "target_type must be one of instance, ip, lambda${local.caller}: ${local.path}target_type = \"${var.target_type}\"."
  }
}

variable "port" {
  description = "Traffic port of the targets (1-65535): required for instance and ip target groups, must be unset for lambda."
  type        = number
  default     = null

  validation {
    condition     = var.port == null ? true : (var.port >= 1 && var.port <= 65535 && floor(var.port) == var.port)
    error_message = "Target group port must be an integer 1-65535${local.caller}: ${local.path}port = ${var.port == null ? "null" : var.port}."
  }
  validation {
    condition     = var.target_type == "lambda" ? var.port == null : var.port != null
    error_message = "Target group port is required for instance and ip targets and must be unset for lambda${local.caller}: ${local.path}port (target_type ${var.target_type})."
  }
}

variable "protocol" {
  description = "Protocol to the targets: HTTP or HTTPS (ignored for lambda)."
  type        = string
  default     = "HTTP"
  nullable    = false

  validation {
    condition     = contains(["HTTP", "HTTPS"], var.protocol)
    error_message = "Target group protocol must be HTTP or HTTPS${local.caller}: ${local.path}protocol = \"${var.protocol}\"."
  }
}

variable "protocol_version" {
  description = "HTTP1, HTTP2 or GRPC (ignored for lambda)."
  type        = string
  default     = "HTTP1"
  nullable    = false

  validation {
    condition     = contains(["HTTP1", "HTTP2", "GRPC"], var.protocol_version)
    error_message = "protocol_version must be one of HTTP1, HTTP2, GRPC${local.caller}: ${local.path}protocol_version = \"${var.protocol_version}\"."
  }
}

variable "health_check" {
  description = <<-EOT
    Health check. port is "traffic-port" or a port number as a string; matcher holds codes and ranges like "200",
    "200,202" or "200-299" (HTTP codes 200-499; gRPC codes 0-99 for GRPC groups). path and matcher default to "/"
    and "200", for GRPC groups to "/AWS.ALB/healthcheck" and "12". Instance and ip groups cannot disable it.
  EOT
  type = object({
    enabled             = optional(bool, true)
    path                = optional(string)
    port                = optional(string, "traffic-port")
    protocol            = optional(string, "HTTP")
    matcher             = optional(string)
    interval            = optional(number, 30)
    timeout             = optional(number, 5)
    healthy_threshold   = optional(number, 5)
    unhealthy_threshold = optional(number, 2)
  })
  default  = {}
  nullable = false

  validation {
    condition     = var.health_check.interval >= 5 && var.health_check.interval <= 300
    error_message = "health_check.interval must be 5-300 seconds${local.caller}: ${local.path}health_check.interval = ${var.health_check.interval}."
  }
  validation {
    condition = (var.health_check.timeout >= 2 && var.health_check.timeout <= 120
    && var.health_check.timeout < var.health_check.interval)
    error_message = "health_check.timeout must be 2-120 seconds and less than health_check.interval${local.caller}: ${local.path}health_check.timeout = ${var.health_check.timeout} (interval ${var.health_check.interval})."
  }
  validation {
    condition = alltrue([for t in [var.health_check.healthy_threshold, var.health_check.unhealthy_threshold] :
    t >= 2 && t <= 10 && floor(t) == t])
    error_message = "health_check.healthy_threshold and unhealthy_threshold must be integers 2-10${local.caller}: ${local.path}health_check (healthy ${var.health_check.healthy_threshold}, unhealthy ${var.health_check.unhealthy_threshold})."
  }
  validation {
    # Codes and ranges separated by commas; each code within the protocol's range, each range low-high.
    condition = var.health_check.matcher == null ? true : alltrue([for part in split(",", var.health_check.matcher) : try(
      length(regex("^[0-9]{1,3}(-[0-9]{1,3})?$", part)) > 0 && alltrue([for code in split("-", part) :
        var.protocol_version == "GRPC" ? (tonumber(code) >= 0 && tonumber(code) <= 99) : (tonumber(code) >= 200 && tonumber(code) <= 499)
    ]) && tonumber(split("-", part)[0]) <= tonumber(reverse(split("-", part))[0]), false)])
    error_message = "health_check.matcher must be codes and ranges like \"200\", \"200,202\" or \"200-299\", HTTP codes 200-499 (gRPC codes 0-99 for protocol_version GRPC)${local.caller}: ${local.path}health_check.matcher = \"${coalesce(var.health_check.matcher, "null")}\" (protocol_version ${var.protocol_version})."
  }
  validation {
    condition = (var.health_check.port == "traffic-port" ? true :
    can(regex("^[0-9]+$", var.health_check.port)) ? (tonumber(var.health_check.port) >= 1 && tonumber(var.health_check.port) <= 65535) : false)
    error_message = "health_check.port must be \"traffic-port\" or a port 1-65535${local.caller}: ${local.path}health_check.port = \"${var.health_check.port}\"."
  }
  validation {
    condition     = contains(["HTTP", "HTTPS"], var.health_check.protocol)
    error_message = "health_check.protocol must be HTTP or HTTPS${local.caller}: ${local.path}health_check.protocol = \"${var.health_check.protocol}\"."
  }
  validation {
    condition     = var.health_check.path == null ? true : (startswith(var.health_check.path, "/") && length(var.health_check.path) <= 1024)
    error_message = "health_check.path must start with \"/\" and be at most 1024 characters${local.caller}: ${local.path}health_check.path = \"${coalesce(var.health_check.path, "null")}\"."
  }
  validation {
    condition     = var.health_check.enabled || var.target_type == "lambda"
    error_message = "Health checks cannot be disabled for instance and ip target groups (only lambda)${local.caller}: ${local.path}health_check.enabled = false (target_type ${var.target_type})."
  }
}

variable "stickiness" {
  description = "Session stickiness: lb_cookie (duration only) or app_cookie (cookie_name required). Not for lambda groups. null disables it."
  type = object({
    type            = string
    enabled         = optional(bool, true)
    cookie_duration = optional(number, 86400)
    cookie_name     = optional(string)
  })
  default = null

  validation {
    condition     = var.stickiness == null ? true : contains(["lb_cookie", "app_cookie"], var.stickiness.type)
    error_message = "stickiness.type must be lb_cookie or app_cookie${local.caller}: ${local.path}stickiness.type = \"${try(var.stickiness.type, "")}\"."
  }
  validation {
    condition     = var.stickiness == null ? true : (var.stickiness.cookie_duration >= 1 && var.stickiness.cookie_duration <= 604800)
    error_message = "stickiness.cookie_duration must be 1-604800 seconds${local.caller}: ${local.path}stickiness.cookie_duration = ${try(var.stickiness.cookie_duration, "")}."
  }
  validation {
    condition     = var.stickiness == null ? true : (var.stickiness.type == "app_cookie") == (var.stickiness.cookie_name != null)
    error_message = "stickiness.cookie_name is required with type app_cookie and not allowed with lb_cookie${local.caller}: ${local.path}stickiness."
  }
  validation {
    # The load balancer's own cookies: AWSALB, AWSALBAPP and AWSALBTG (all three start with AWSALB).
    condition     = try(var.stickiness.cookie_name, null) == null ? true : !startswith(var.stickiness.cookie_name, "AWSALB")
    error_message = "stickiness.cookie_name must not start with AWSALB, AWSALBAPP or AWSALBTG (reserved by the load balancer)${local.caller}: ${local.path}stickiness.cookie_name = \"${try(var.stickiness.cookie_name, null) == null ? "" : var.stickiness.cookie_name}\"."
  }
  validation {
    condition     = var.stickiness == null || var.target_type != "lambda"
    error_message = "Stickiness is for instance and ip target groups only, not lambda${local.caller}: ${local.path}stickiness."
  }
}

variable "load_balancing_algorithm" {
  description = "round_robin, least_outstanding_requests or weighted_random (ignored for lambda)."
  type        = string
  default     = "round_robin"
  nullable    = false

  validation {
    condition     = contains(["round_robin", "least_outstanding_requests", "weighted_random"], var.load_balancing_algorithm)
    error_message = "load_balancing_algorithm must be one of round_robin, least_outstanding_requests, weighted_random${local.caller}: ${local.path}load_balancing_algorithm = \"${var.load_balancing_algorithm}\"."
  }
}

variable "load_balancing_anomaly_mitigation" {
  description = "Automatic target weights' anomaly mitigation. Only with load_balancing_algorithm = weighted_random."
  type        = bool
  default     = false
  nullable    = false

  validation {
    condition     = !var.load_balancing_anomaly_mitigation || var.load_balancing_algorithm == "weighted_random"
    error_message = "load_balancing_anomaly_mitigation requires load_balancing_algorithm = weighted_random${local.caller}: ${local.path}load_balancing_anomaly_mitigation (algorithm ${var.load_balancing_algorithm})."
  }
}

variable "slow_start" {
  description = "Seconds a new target ramps up: 0 (off) or 30-900. Only with round_robin."
  type        = number
  default     = 0
  nullable    = false

  validation {
    condition     = var.slow_start == 0 || (var.slow_start >= 30 && var.slow_start <= 900)
    error_message = "slow_start must be 0 or 30-900 seconds${local.caller}: ${local.path}slow_start = ${var.slow_start}."
  }
  validation {
    condition     = var.slow_start == 0 || var.load_balancing_algorithm == "round_robin"
    error_message = "slow_start works only with load_balancing_algorithm round_robin (not least_outstanding_requests or weighted_random)${local.caller}: ${local.path}slow_start = ${var.slow_start} (algorithm ${var.load_balancing_algorithm})."
  }
}

variable "deregistration_delay" {
  description = "Seconds to drain a deregistering target (0-3600)."
  type        = number
  default     = 300
  nullable    = false

  validation {
    condition     = var.deregistration_delay >= 0 && var.deregistration_delay <= 3600
    error_message = "deregistration_delay must be 0-3600 seconds${local.caller}: ${local.path}deregistration_delay = ${var.deregistration_delay}."
  }
}

variable "targets" {
  description = <<-EOT
    Attachments keyed by your own keys (never list positions, so removing one never touches the others). target_id
    is an instance ID, an IPv4 address or a Lambda function ARN, after target_type. port overrides the target group
    port. availability_zone = "all" registers an IP outside the VPC (on-premises, private ranges only); instance
    targets take no availability_zone, lambda targets only "all". A lambda group holds one function.
  EOT
  type = map(object({
    target_id         = string
    port              = optional(number)
    availability_zone = optional(string)
  }))
  default  = {}
  nullable = false

  validation {
    condition     = alltrue([for t in values(var.targets) : t.port == null ? true : (t.port >= 1 && t.port <= 65535 && floor(t.port) == t.port)])
    error_message = format("targets[*].port must be an integer 1-65535 when set%s: %s.", local.caller, join(", ", [for k, t in var.targets : "${local.path}targets[\"${k}\"].port = ${t.port}" if t.port == null ? false : !(t.port >= 1 && t.port <= 65535 && floor(t.port) == t.port)]))
  }
  validation {
    condition     = var.target_type != "lambda" || length(var.targets) <= 1
    error_message = "A lambda target group holds one function${local.caller}: ${local.path}targets has ${length(var.targets)}."
  }
  validation {
    # Checked once the shape is a Lambda ARN (the precondition on each attachment checks the shape).
    condition = var.target_type != "lambda" || alltrue([for t in values(var.targets) : !can(regex("^arn:[^:]+:lambda:[^:]*:", t.target_id)) ? true
    : (split(":", t.target_id)[1] == local.partition && split(":", t.target_id)[3] == local.region)])
    error_message = format("A Lambda target must be in the load balancer's partition and region (%s, %s): the function and the target group share an account and a region%s: %s.", local.partition, local.region, local.caller, join(", ", [for k, t in var.targets : "${local.path}targets[\"${k}\"].target_id = \"${t.target_id}\""
      if var.target_type != "lambda" || !can(regex("^arn:[^:]+:lambda:[^:]*:", t.target_id)) ? false
    : !(split(":", t.target_id)[1] == local.partition && split(":", t.target_id)[3] == local.region)]))
  }
}

variable "partition_and_region" {
  description = "The provider's partition and region, when the caller has read them (the root module passes its own): ARNs are checked against them. null: this module reads them from the provider."
  type = object({
    partition = string
    region    = string
  })
  default = null
}

variable "error_context" {
  description = "How error messages name the inputs: path goes before every field (the root module passes target_groups[\"<key>\"].), caller after the rule (ALB \"<name>\"); checked holds values the caller has checked and reported under its own names (vpc_id, tags), which are not checked a second time here. Leave it unset when you call this module yourself."
  type = object({
    path   = optional(string, "")
    caller = optional(string, "")
    checked = optional(object({
      vpc_id = optional(string)
      tags   = optional(map(string), {})
    }), {})
  })
  default  = {}
  nullable = false
}

variable "tags" {
  description = "Tags for the target group (at most 50): keys 1-128 and values up to 256 characters of letters, digits, spaces and _ . : / = + - @, no leading or trailing space, keys not starting with \"aws:\"."
  type        = map(string)
  default     = {}
  nullable    = false

  validation {
    condition = alltrue([for k, v in var.tags : (length(k) >= 1 && length(k) <= 128
      && length(v) <= 256 && !startswith(lower(k), "aws:") && can(regex(local.tag_pattern, k)) && can(regex(local.tag_pattern, v))
    && trimspace(k) == k && trimspace(v) == v) if lookup(var.error_context.checked.tags, k, null) != v])
    error_message = format("Tags must be ELB tags: keys 1-128 and values up to 256 characters of letters, digits, spaces and _ . : / = + - @ (no leading or trailing space), keys not starting with \"aws:\"%s: %s.", local.caller, join(", ", [for k, v in var.tags : "${local.path}tags[\"${k}\"] = \"${v}\"" if lookup(var.error_context.checked.tags, k, null) == v ? false : !(length(k) >= 1 && length(k) <= 128
      && length(v) <= 256 && !startswith(lower(k), "aws:") && can(regex(local.tag_pattern, k)) && can(regex(local.tag_pattern, v))
    && trimspace(k) == k && trimspace(v) == v)]))
  }
  validation {
    condition     = length(var.tags) <= 50 || alltrue([for k, v in var.tags : lookup(var.error_context.checked.tags, k, null) == v])
    error_message = "A resource takes at most 50 tags, those it inherits included${local.caller}: ${local.path}tags has ${length(var.tags)} with the inherited ones."
  }
}

variable "exact_name" {
  description = "Name the group exactly name, without the 4-digit suffix. A change that replaces the group (target_type, port, protocol, protocol_version, vpc_id) then fails at apply because the name is taken, before anything is changed; change the name in the same apply to replace it."
  type        = bool
  default     = false
  nullable    = false
}
