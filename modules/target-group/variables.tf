variable "name" {
  description = "Target group name: 1-32 characters, letters, digits and hyphens, not starting or ending with a hyphen."
  type        = string
  nullable    = false

  validation {
    condition     = length(var.name) <= 32 && can(regex("^[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?$", var.name))
    error_message = "name \"${var.name}\" must be 1-32 characters of [A-Za-z0-9-], not starting or ending with \"-\"."
  }
}

variable "vpc_id" {
  description = "VPC of the target group. Required for instance and ip targets, ignored for lambda."
  type        = string
  default     = null
}

variable "target_type" {
  description = "What the target group routes to: instance, ip or lambda."
  type        = string
  default     = "instance"
  nullable    = false

  validation {
    condition     = contains(["instance", "ip", "lambda"], var.target_type)
    error_message = "target_type must be one of instance, ip, lambda; got \"${var.target_type}\"."
  }
}

variable "port" {
  description = "Traffic port of the targets (1-65535). Required for instance and ip targets, must be null for lambda."
  type        = number
  default     = null

  validation {
    condition     = var.port == null ? true : (var.port >= 1 && var.port <= 65535 && floor(var.port) == var.port)
    error_message = "port must be an integer 1-65535."
  }
}

variable "protocol" {
  description = "Protocol to the targets: HTTP or HTTPS (ignored for lambda)."
  type        = string
  default     = "HTTP"
  nullable    = false

  validation {
    condition     = contains(["HTTP", "HTTPS"], var.protocol)
    error_message = "protocol must be HTTP or HTTPS; got \"${var.protocol}\"."
  }
}

variable "protocol_version" {
  description = "HTTP1, HTTP2 or GRPC (ignored for lambda)."
  type        = string
  default     = "HTTP1"
  nullable    = false

  validation {
    condition     = contains(["HTTP1", "HTTP2", "GRPC"], var.protocol_version)
    error_message = "protocol_version must be one of HTTP1, HTTP2, GRPC; got \"${var.protocol_version}\"."
  }
}

variable "health_check" {
  description = "Health check. port is \"traffic-port\" or a port number as a string; matcher is e.g. \"200\", \"200,202\" or \"200-299\"."
  type = object({
    enabled             = optional(bool, true)
    path                = optional(string, "/")
    port                = optional(string, "traffic-port")
    protocol            = optional(string, "HTTP")
    matcher             = optional(string, "200")
    interval            = optional(number, 30)
    timeout             = optional(number, 5)
    healthy_threshold   = optional(number, 5)
    unhealthy_threshold = optional(number, 2)
  })
  default  = {}
  nullable = false

  validation {
    condition     = var.health_check.interval >= 5 && var.health_check.interval <= 300
    error_message = "health_check.interval must be 5-300 seconds; got ${var.health_check.interval}."
  }
  validation {
    condition = (var.health_check.timeout >= 2 && var.health_check.timeout <= 120
    && var.health_check.timeout < var.health_check.interval)
    error_message = "health_check.timeout must be 2-120 seconds and less than health_check.interval (${var.health_check.interval}); got ${var.health_check.timeout}."
  }
  validation {
    condition = alltrue([for t in [var.health_check.healthy_threshold, var.health_check.unhealthy_threshold] :
    t >= 2 && t <= 10])
    error_message = "health_check.healthy_threshold and health_check.unhealthy_threshold must be 2-10."
  }
  validation {
    condition     = can(regex("^[0-9]{1,3}(-[0-9]{1,3})?(,[0-9]{1,3}(-[0-9]{1,3})?)*$", var.health_check.matcher))
    error_message = "health_check.matcher must be codes and ranges like \"200\", \"200,202\" or \"200-299\"; got \"${var.health_check.matcher}\"."
  }
  validation {
    condition = (var.health_check.port == "traffic-port" ? true :
    can(tonumber(var.health_check.port)) ? (tonumber(var.health_check.port) >= 1 && tonumber(var.health_check.port) <= 65535) : false)
    error_message = "health_check.port must be \"traffic-port\" or a port 1-65535; got \"${var.health_check.port}\"."
  }
  validation {
    condition     = contains(["HTTP", "HTTPS"], var.health_check.protocol)
    error_message = "health_check.protocol must be HTTP or HTTPS; got \"${var.health_check.protocol}\"."
  }
  validation {
    condition     = startswith(var.health_check.path, "/") && length(var.health_check.path) <= 1024
    error_message = "health_check.path must start with \"/\" and be at most 1024 characters."
  }
}

variable "stickiness" {
  description = "Session stickiness: lb_cookie (duration only) or app_cookie (cookie_name required). null disables it."
  type = object({
    type            = string
    enabled         = optional(bool, true)
    cookie_duration = optional(number, 86400)
    cookie_name     = optional(string)
  })
  default = null

  validation {
    condition     = var.stickiness == null ? true : contains(["lb_cookie", "app_cookie"], var.stickiness.type)
    error_message = "stickiness.type must be lb_cookie or app_cookie."
  }
  validation {
    condition     = var.stickiness == null ? true : (var.stickiness.cookie_duration >= 1 && var.stickiness.cookie_duration <= 604800)
    error_message = "stickiness.cookie_duration must be 1-604800 seconds."
  }
  validation {
    condition     = var.stickiness == null ? true : (var.stickiness.type == "app_cookie") == (var.stickiness.cookie_name != null)
    error_message = "stickiness.cookie_name is required with type app_cookie and not allowed with lb_cookie."
  }
}

variable "load_balancing_algorithm" {
  description = "round_robin, least_outstanding_requests or weighted_random."
  type        = string
  default     = "round_robin"
  nullable    = false

  validation {
    condition     = contains(["round_robin", "least_outstanding_requests", "weighted_random"], var.load_balancing_algorithm)
    error_message = "load_balancing_algorithm must be one of round_robin, least_outstanding_requests, weighted_random; got \"${var.load_balancing_algorithm}\"."
  }
}

variable "load_balancing_anomaly_mitigation" {
  description = "Automatic target weights' anomaly mitigation. Only with load_balancing_algorithm = weighted_random."
  type        = bool
  default     = false
  nullable    = false
}

variable "slow_start" {
  description = "Seconds a new target ramps up: 0 (off) or 30-900. Only with round_robin."
  type        = number
  default     = 0
  nullable    = false

  validation {
    condition     = var.slow_start == 0 || (var.slow_start >= 30 && var.slow_start <= 900)
    error_message = "slow_start must be 0 or 30-900 seconds; got ${var.slow_start}."
  }
}

variable "deregistration_delay" {
  description = "Seconds to drain a deregistering target (0-3600)."
  type        = number
  default     = 300
  nullable    = false

  validation {
    condition     = var.deregistration_delay >= 0 && var.deregistration_delay <= 3600
    error_message = "deregistration_delay must be 0-3600 seconds; got ${var.deregistration_delay}."
  }
}

variable "targets" {
  description = <<-EOT
    Attachments keyed by your own keys (never list positions, so removing one never touches the others).
    port overrides the target group port; availability_zone = "all" registers an IP outside the VPC (on-premises).
  EOT
  type = map(object({
    target_id         = string
    port              = optional(number)
    availability_zone = optional(string)
  }))
  default  = {}
  nullable = false

  validation {
    condition = alltrue([for t in values(var.targets) :
    t.port == null ? true : (t.port >= 1 && t.port <= 65535)])
    error_message = "targets[*].port must be 1-65535 when set."
  }
}

variable "tags" {
  description = "Tags for the target group."
  type        = map(string)
  default     = {}
  nullable    = false
}
