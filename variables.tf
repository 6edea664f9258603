variable "name" {
  description = "ALB name, also the prefix of every other name: 1-32 characters of [A-Za-z0-9-], not starting or ending with \"-\", not starting with \"internal-\"."
  type        = string
  nullable    = false

  validation {
    condition = (length(var.name) <= 32 && can(regex("^[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?$", var.name))
    && !startswith(var.name, "internal-"))
    error_message = "name \"${var.name}\" must be 1-32 characters of [A-Za-z0-9-], not start or end with \"-\" and not start with \"internal-\"."
  }
}

variable "vpc_id" {
  description = "VPC of the ALB, its security groups and target groups."
  type        = string
  nullable    = false
}

variable "subnet_ids" {
  description = "Subnets of the ALB: at least 2, in different availability zones."
  type        = list(string)
  nullable    = false

  validation {
    condition     = length(var.subnet_ids) >= 2
    error_message = "subnet_ids must hold at least 2 subnets (in different availability zones)."
  }
}

variable "internal" {
  description = "true: internal ALB (private IPs only); false: internet-facing."
  type        = bool
  default     = false
  nullable    = false
}

variable "ip_address_type" {
  description = "ipv4 or dualstack."
  type        = string
  default     = "ipv4"
  nullable    = false

  validation {
    condition     = contains(["ipv4", "dualstack"], var.ip_address_type)
    error_message = "ip_address_type must be ipv4 or dualstack; got \"${var.ip_address_type}\"."
  }
}

variable "idle_timeout" {
  description = "Seconds a connection may stay idle (1-4000)."
  type        = number
  default     = 60
  nullable    = false

  validation {
    condition     = var.idle_timeout >= 1 && var.idle_timeout <= 4000
    error_message = "idle_timeout must be 1-4000 seconds; got ${var.idle_timeout}."
  }
}

variable "enable_deletion_protection" {
  description = "Refuse to delete the ALB through the API. On by default: set false for throwaway stacks."
  type        = bool
  default     = true
  nullable    = false
}

variable "drop_invalid_header_fields" {
  description = "Drop HTTP headers with invalid names instead of passing them to the targets."
  type        = bool
  default     = true
  nullable    = false
}

variable "desync_mitigation_mode" {
  description = "HTTP desync mitigation: monitor, defensive or strictest."
  type        = string
  default     = "defensive"
  nullable    = false

  validation {
    condition     = contains(["monitor", "defensive", "strictest"], var.desync_mitigation_mode)
    error_message = "desync_mitigation_mode must be one of monitor, defensive, strictest; got \"${var.desync_mitigation_mode}\"."
  }
}

variable "xff_header_processing_mode" {
  description = "X-Forwarded-For handling: append, preserve or remove."
  type        = string
  default     = "append"
  nullable    = false

  validation {
    condition     = contains(["append", "preserve", "remove"], var.xff_header_processing_mode)
    error_message = "xff_header_processing_mode must be one of append, preserve, remove; got \"${var.xff_header_processing_mode}\"."
  }
}

variable "preserve_host_header" {
  description = "Pass the client's Host header (with port) to the targets unchanged."
  type        = bool
  default     = false
  nullable    = false
}

variable "enable_http2" {
  description = "Accept HTTP/2 from clients."
  type        = bool
  default     = true
  nullable    = false
}

variable "access_logs" {
  description = "Access logs to S3 (the bucket policy must let ELB write). null: no access logs."
  type = object({
    bucket  = string
    prefix  = optional(string)
    enabled = optional(bool, true)
  })
  default = null

  validation {
    condition     = var.access_logs == null ? true : length(var.access_logs.bucket) > 0
    error_message = "access_logs.bucket must not be empty."
  }
}

variable "security_groups" {
  description = <<-EOT
    SG chaining. create: make the ALB SG and the target SG (false: pass both IDs). The ALB SG admits the listener
    ports from ingress_cidr_ipv4/ipv6 and the prefix lists, and may only reach the target SG (and on-premises IP
    targets) on each target group's traffic and health-check ports; the target SG admits only the ALB SG on those
    ports. ingress_prefix_lists is the stable-key form of ingress_prefix_list_ids. create_rules = false leaves all
    rules to you.
  EOT
  type = object({
    create                            = optional(bool, true)
    create_rules                      = optional(bool, true)
    alb_security_group_id             = optional(string)
    target_security_group_id          = optional(string)
    ingress_cidr_ipv4                 = optional(list(string), ["0.0.0.0/0"])
    ingress_cidr_ipv6                 = optional(list(string), [])
    ingress_prefix_list_ids           = optional(list(string), [])
    ingress_prefix_lists              = optional(map(string), {})
    additional_alb_security_group_ids = optional(list(string), [])
  })
  default  = {}
  nullable = false

  validation {
    condition = length([for c in var.security_groups.ingress_cidr_ipv4 : c
    if !(can(cidrhost(c, 0)) && !strcontains(c, ":"))]) == 0
    error_message = format("security_groups.ingress_cidr_ipv4 must hold IPv4 CIDRs: invalid %s.", join(", ", [for c in var.security_groups.ingress_cidr_ipv4 : "\"${c}\"" if !(can(cidrhost(c, 0)) && !strcontains(c, ":"))]))
  }
  validation {
    condition = length([for c in var.security_groups.ingress_cidr_ipv6 : c
    if !(can(cidrhost(c, 0)) && strcontains(c, ":"))]) == 0
    error_message = format("security_groups.ingress_cidr_ipv6 must hold IPv6 CIDRs: invalid %s.", join(", ", [for c in var.security_groups.ingress_cidr_ipv6 : "\"${c}\"" if !(can(cidrhost(c, 0)) && strcontains(c, ":"))]))
  }
  validation {
    condition = (var.security_groups.create ? true :
    var.security_groups.alb_security_group_id != null && var.security_groups.target_security_group_id != null)
    error_message = "security_groups.alb_security_group_id and security_groups.target_security_group_id are required when security_groups.create = false."
  }
}

variable "target_groups" {
  description = <<-EOT
    Target groups keyed by your own keys. name defaults to "<name>-<key>". targets are keyed by your own keys too;
    availability_zone = "all" registers an IP outside the VPC (on-premises), which also gets an ALB SG egress rule.
  EOT
  type = map(object({
    name             = optional(string)
    target_type      = optional(string, "instance")
    port             = optional(number)
    protocol         = optional(string, "HTTP")
    protocol_version = optional(string, "HTTP1")
    health_check = optional(object({
      enabled             = optional(bool, true)
      path                = optional(string, "/")
      port                = optional(string, "traffic-port")
      protocol            = optional(string, "HTTP")
      matcher             = optional(string, "200")
      interval            = optional(number, 30)
      timeout             = optional(number, 5)
      healthy_threshold   = optional(number, 5)
      unhealthy_threshold = optional(number, 2)
    }), {})
    stickiness = optional(object({
      type            = string
      enabled         = optional(bool, true)
      cookie_duration = optional(number, 86400)
      cookie_name     = optional(string)
    }))
    load_balancing_algorithm          = optional(string, "round_robin")
    load_balancing_anomaly_mitigation = optional(bool, false)
    slow_start                        = optional(number, 0)
    deregistration_delay              = optional(number, 300)
    targets = optional(map(object({
      target_id         = string
      port              = optional(number)
      availability_zone = optional(string)
    })), {})
    tags = optional(map(string), {})
  }))
  default  = {}
  nullable = false

  validation {
    condition = length([for k, tg in var.target_groups : k if tg.name == null ? false :
    !(length(tg.name) <= 32 && can(regex("^[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?$", tg.name)))]) == 0
    error_message = format("target_groups[*].name must be 1-32 characters of [A-Za-z0-9-], not starting or ending with \"-\": %s.", join(", ", [for k, tg in var.target_groups : "target_groups[\"${k}\"].name = \"${tg.name}\"" if tg.name == null ? false : !(length(tg.name) <= 32 && can(regex("^[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?$", tg.name)))]))
  }
  validation {
    condition     = length([for k, tg in var.target_groups : k if !contains(["instance", "ip", "lambda"], tg.target_type)]) == 0
    error_message = format("target_groups[*].target_type must be one of instance, ip, lambda: %s.", join(", ", [for k, tg in var.target_groups : "target_groups[\"${k}\"].target_type = \"${tg.target_type}\"" if !contains(["instance", "ip", "lambda"], tg.target_type)]))
  }
  validation {
    condition = length([for k, tg in var.target_groups : k if tg.target_type == "lambda" ? tg.port != null :
    (tg.port == null ? true : !(tg.port >= 1 && tg.port <= 65535 && floor(tg.port) == tg.port))]) == 0
    error_message = format("target_groups[*].port must be an integer 1-65535 for instance and ip targets and unset for lambda: %s.", join(", ", [for k, tg in var.target_groups : "target_groups[\"${k}\"].port" if tg.target_type == "lambda" ? tg.port != null : (tg.port == null ? true : !(tg.port >= 1 && tg.port <= 65535 && floor(tg.port) == tg.port))]))
  }
  validation {
    condition     = length([for k, tg in var.target_groups : k if !contains(["HTTP", "HTTPS"], tg.protocol) || !contains(["HTTP", "HTTPS"], tg.health_check.protocol)]) == 0
    error_message = format("target_groups[*].protocol and health_check.protocol must be HTTP or HTTPS: %s.", join(", ", [for k, tg in var.target_groups : "target_groups[\"${k}\"]" if !contains(["HTTP", "HTTPS"], tg.protocol) || !contains(["HTTP", "HTTPS"], tg.health_check.protocol)]))
  }
  validation {
    condition     = length([for k, tg in var.target_groups : k if !contains(["HTTP1", "HTTP2", "GRPC"], tg.protocol_version)]) == 0
    error_message = format("target_groups[*].protocol_version must be one of HTTP1, HTTP2, GRPC: %s.", join(", ", [for k, tg in var.target_groups : "target_groups[\"${k}\"].protocol_version = \"${tg.protocol_version}\"" if !contains(["HTTP1", "HTTP2", "GRPC"], tg.protocol_version)]))
  }
  validation {
    condition     = length([for k, tg in var.target_groups : k if tg.health_check.interval < 5 || tg.health_check.interval > 300]) == 0
    error_message = format("target_groups[*].health_check.interval must be 5-300 seconds: %s.", join(", ", [for k, tg in var.target_groups : "target_groups[\"${k}\"].health_check.interval = ${tg.health_check.interval}" if tg.health_check.interval < 5 || tg.health_check.interval > 300]))
  }
  validation {
    condition     = length([for k, tg in var.target_groups : k if tg.health_check.timeout < 2 || tg.health_check.timeout > 120 || tg.health_check.timeout >= tg.health_check.interval]) == 0
    error_message = format("target_groups[*].health_check.timeout must be 2-120 seconds and less than health_check.interval: %s.", join(", ", [for k, tg in var.target_groups : "target_groups[\"${k}\"].health_check.timeout = ${tg.health_check.timeout} (interval ${tg.health_check.interval})" if tg.health_check.timeout < 2 || tg.health_check.timeout > 120 || tg.health_check.timeout >= tg.health_check.interval]))
  }
  validation {
    condition = length([for k, tg in var.target_groups : k if anytrue([for t in [tg.health_check.healthy_threshold, tg.health_check.unhealthy_threshold] :
    t < 2 || t > 10])]) == 0
    error_message = format("target_groups[*].health_check.healthy_threshold and unhealthy_threshold must be 2-10: %s.", join(", ", [for k, tg in var.target_groups : "target_groups[\"${k}\"].health_check" if anytrue([for t in [tg.health_check.healthy_threshold, tg.health_check.unhealthy_threshold] : t < 2 || t > 10])]))
  }
  validation {
    condition     = length([for k, tg in var.target_groups : k if !can(regex("^[0-9]{1,3}(-[0-9]{1,3})?(,[0-9]{1,3}(-[0-9]{1,3})?)*$", tg.health_check.matcher))]) == 0
    error_message = format("target_groups[*].health_check.matcher must be codes and ranges like \"200\", \"200,202\" or \"200-299\": %s.", join(", ", [for k, tg in var.target_groups : "target_groups[\"${k}\"].health_check.matcher = \"${tg.health_check.matcher}\"" if !can(regex("^[0-9]{1,3}(-[0-9]{1,3})?(,[0-9]{1,3}(-[0-9]{1,3})?)*$", tg.health_check.matcher))]))
  }
  validation {
    condition = length([for k, tg in var.target_groups : k if tg.health_check.port == "traffic-port" ? false :
    can(tonumber(tg.health_check.port)) ? (tonumber(tg.health_check.port) < 1 || tonumber(tg.health_check.port) > 65535) : true]) == 0
    error_message = format("target_groups[*].health_check.port must be \"traffic-port\" or a port 1-65535: %s.", join(", ", [for k, tg in var.target_groups : "target_groups[\"${k}\"].health_check.port = \"${tg.health_check.port}\"" if tg.health_check.port == "traffic-port" ? false : can(tonumber(tg.health_check.port)) ? (tonumber(tg.health_check.port) < 1 || tonumber(tg.health_check.port) > 65535) : true]))
  }
  validation {
    condition     = length([for k, tg in var.target_groups : k if !startswith(tg.health_check.path, "/")]) == 0
    error_message = format("target_groups[*].health_check.path must start with \"/\": %s.", join(", ", [for k, tg in var.target_groups : "target_groups[\"${k}\"].health_check.path" if !startswith(tg.health_check.path, "/")]))
  }
  validation {
    condition = length([for k, tg in var.target_groups : k if tg.stickiness == null ? false :
      (!contains(["lb_cookie", "app_cookie"], tg.stickiness.type) || tg.stickiness.cookie_duration < 1 || tg.stickiness.cookie_duration > 604800
    || (tg.stickiness.type == "app_cookie") != (tg.stickiness.cookie_name != null))]) == 0
    error_message = format("target_groups[*].stickiness: type must be lb_cookie or app_cookie, cookie_duration 1-604800 seconds, cookie_name set for app_cookie only: %s.", join(", ", [for k, tg in var.target_groups : "target_groups[\"${k}\"].stickiness" if tg.stickiness == null ? false : (!contains(["lb_cookie", "app_cookie"], tg.stickiness.type) || tg.stickiness.cookie_duration < 1 || tg.stickiness.cookie_duration > 604800 || (tg.stickiness.type == "app_cookie") != (tg.stickiness.cookie_name != null))]))
  }
  validation {
    condition     = length([for k, tg in var.target_groups : k if !contains(["round_robin", "least_outstanding_requests", "weighted_random"], tg.load_balancing_algorithm)]) == 0
    error_message = format("target_groups[*].load_balancing_algorithm must be one of round_robin, least_outstanding_requests, weighted_random: %s.", join(", ", [for k, tg in var.target_groups : "target_groups[\"${k}\"].load_balancing_algorithm = \"${tg.load_balancing_algorithm}\"" if !contains(["round_robin", "least_outstanding_requests", "weighted_random"], tg.load_balancing_algorithm)]))
  }
  validation {
    condition     = length([for k, tg in var.target_groups : k if tg.slow_start != 0 && (tg.slow_start < 30 || tg.slow_start > 900)]) == 0
    error_message = format("target_groups[*].slow_start must be 0 or 30-900 seconds: %s.", join(", ", [for k, tg in var.target_groups : "target_groups[\"${k}\"].slow_start = ${tg.slow_start}" if tg.slow_start != 0 && (tg.slow_start < 30 || tg.slow_start > 900)]))
  }
  validation {
    condition     = length([for k, tg in var.target_groups : k if tg.slow_start != 0 && tg.load_balancing_algorithm != "round_robin"]) == 0
    error_message = format("target_groups[*].slow_start works only with load_balancing_algorithm round_robin (not least_outstanding_requests or weighted_random): %s.", join(", ", [for k, tg in var.target_groups : "target_groups[\"${k}\"] (${tg.load_balancing_algorithm}, slow_start ${tg.slow_start})" if tg.slow_start != 0 && tg.load_balancing_algorithm != "round_robin"]))
  }
  validation {
    condition     = length([for k, tg in var.target_groups : k if tg.load_balancing_anomaly_mitigation && tg.load_balancing_algorithm != "weighted_random"]) == 0
    error_message = format("target_groups[*].load_balancing_anomaly_mitigation requires load_balancing_algorithm = weighted_random: %s.", join(", ", [for k, tg in var.target_groups : "target_groups[\"${k}\"] (${tg.load_balancing_algorithm})" if tg.load_balancing_anomaly_mitigation && tg.load_balancing_algorithm != "weighted_random"]))
  }
  validation {
    condition     = length([for k, tg in var.target_groups : k if tg.deregistration_delay < 0 || tg.deregistration_delay > 3600]) == 0
    error_message = format("target_groups[*].deregistration_delay must be 0-3600 seconds: %s.", join(", ", [for k, tg in var.target_groups : "target_groups[\"${k}\"].deregistration_delay = ${tg.deregistration_delay}" if tg.deregistration_delay < 0 || tg.deregistration_delay > 3600]))
  }
  validation {
    condition = length(flatten([for k, tg in var.target_groups : [for tk, t in tg.targets : tk
    if t.port == null ? false : (t.port < 1 || t.port > 65535)]])) == 0
    error_message = format("target_groups[*].targets[*].port must be 1-65535 when set: %s.", join(", ", flatten([for k, tg in var.target_groups : [for tk, t in tg.targets : "target_groups[\"${k}\"].targets[\"${tk}\"].port" if t.port == null ? false : (t.port < 1 || t.port > 65535)]])))
  }
}

variable "listeners" {
  description = <<-EOT
    Listeners keyed by your own keys. HTTPS needs certificate_arn; additional_certificate_arns (SNI) are keyed by
    name. default_action and each rule's action set exactly one of forward {target_group_key},
    weighted_forward {target_groups = {key = {weight}}, stickiness}, redirect {protocol, port, host, path, query,
    status_code}, fixed_response {status_code, content_type, message_body}. Rules: priority 1-50000 unique per
    listener, 1-5 condition values in total; their resources are keyed "<listener_key>/<rule_key>".
  EOT
  type = map(object({
    port                        = number
    protocol                    = optional(string, "HTTP")
    certificate_arn             = optional(string)
    additional_certificate_arns = optional(map(string), {})
    ssl_policy                  = optional(string, "ELBSecurityPolicy-TLS13-1-2-2021-06")
    default_action = object({
      forward = optional(object({
        target_group_key = string
      }))
      weighted_forward = optional(object({
        target_groups = map(object({
          weight = optional(number, 1)
        }))
        stickiness = optional(object({
          enabled  = optional(bool, true)
          duration = optional(number, 3600)
        }))
      }))
      redirect = optional(object({
        protocol    = optional(string, "#{protocol}")
        port        = optional(string, "#{port}")
        host        = optional(string, "#{host}")
        path        = optional(string, "/#{path}")
        query       = optional(string, "#{query}")
        status_code = optional(string, "HTTP_301")
      }))
      fixed_response = optional(object({
        status_code  = string
        content_type = optional(string, "text/plain")
        message_body = optional(string)
      }))
    })
    rules = optional(map(object({
      priority = number
      conditions = optional(object({
        path_pattern        = optional(list(string), [])
        host_header         = optional(list(string), [])
        http_request_method = optional(list(string), [])
        source_ip           = optional(list(string), [])
        http_headers        = optional(map(list(string)), {})
        query_strings = optional(list(object({
          key   = optional(string)
          value = string
        })), [])
      }), {})
      action = optional(object({
        forward = optional(object({
          target_group_key = string
        }))
        weighted_forward = optional(object({
          target_groups = map(object({
            weight = optional(number, 1)
          }))
          stickiness = optional(object({
            enabled  = optional(bool, true)
            duration = optional(number, 3600)
          }))
        }))
        redirect = optional(object({
          protocol    = optional(string, "#{protocol}")
          port        = optional(string, "#{port}")
          host        = optional(string, "#{host}")
          path        = optional(string, "/#{path}")
          query       = optional(string, "#{query}")
          status_code = optional(string, "HTTP_301")
        }))
        fixed_response = optional(object({
          status_code  = string
          content_type = optional(string, "text/plain")
          message_body = optional(string)
        }))
      }), {})
      tags = optional(map(string), {})
    })), {})
    tags = optional(map(string), {})
  }))
  default  = {}
  nullable = false

  validation {
    condition = length([for k, l in var.listeners : k
    if l.port == null ? true : !(l.port >= 1 && l.port <= 65535 && floor(l.port) == l.port)]) == 0
    error_message = format("listeners[*].port must be an integer 1-65535: %s.", join(", ", [for k, l in var.listeners : "listeners[\"${k}\"].port" if l.port == null ? true : !(l.port >= 1 && l.port <= 65535 && floor(l.port) == l.port)]))
  }
  validation {
    condition     = length(distinct([for l in values(var.listeners) : l.port])) == length(var.listeners)
    error_message = format("listeners[*].port must be unique: %s.", join(", ", [for k, l in var.listeners : "listeners[\"${k}\"].port = ${l.port == null ? "null" : l.port}"]))
  }
  validation {
    condition     = length([for k, l in var.listeners : k if !contains(["HTTP", "HTTPS"], l.protocol)]) == 0
    error_message = format("listeners[*].protocol must be HTTP or HTTPS: %s.", join(", ", [for k, l in var.listeners : "listeners[\"${k}\"].protocol = \"${l.protocol}\"" if !contains(["HTTP", "HTTPS"], l.protocol)]))
  }
  validation {
    condition     = length([for k, l in var.listeners : k if l.protocol == "HTTPS" && l.certificate_arn == null]) == 0
    error_message = format("An HTTPS listener needs certificate_arn: %s is not set.", join(", ", [for k, l in var.listeners : "listeners[\"${k}\"].certificate_arn" if l.protocol == "HTTPS" && l.certificate_arn == null]))
  }
  validation {
    condition     = length([for k, l in var.listeners : k if l.protocol == "HTTP" && (l.certificate_arn != null || length(l.additional_certificate_arns) > 0)]) == 0
    error_message = format("An HTTP listener takes no certificates: %s; use protocol = \"HTTPS\".", join(", ", [for k, l in var.listeners : "listeners[\"${k}\"]" if l.protocol == "HTTP" && (l.certificate_arn != null || length(l.additional_certificate_arns) > 0)]))
  }
  validation {
    condition     = length([for k, l in var.listeners : k if !startswith(l.ssl_policy, "ELBSecurityPolicy-")]) == 0
    error_message = format("listeners[*].ssl_policy must name an ELB security policy (ELBSecurityPolicy-...): %s.", join(", ", [for k, l in var.listeners : "listeners[\"${k}\"].ssl_policy = \"${l.ssl_policy}\"" if !startswith(l.ssl_policy, "ELBSecurityPolicy-")]))
  }
  validation {
    condition = length([for k, l in var.listeners : k
    if length(distinct([for r in values(l.rules) : r.priority])) < length(l.rules)]) == 0
    error_message = format("Rule priorities must be unique per listener: %s.", join("; ", [for k, l in var.listeners : "listeners[\"${k}\"].rules: ${join(", ", [for rk, r in l.rules : "${rk} = ${r.priority == null ? "null" : r.priority}"])}" if length(distinct([for r in values(l.rules) : r.priority])) < length(l.rules)]))
  }
  validation {
    condition = length([for e in flatten([for lk, l in var.listeners : [for k, r in l.rules : { path = "listeners[\"${lk}\"].rules[\"${k}\"]", rule = r }]]) : e
    if e.rule.priority == null ? true : !(e.rule.priority >= 1 && e.rule.priority <= 50000 && floor(e.rule.priority) == e.rule.priority)]) == 0
    error_message = format("Rule priority must be an integer 1-50000: %s.", join(", ", [for e in flatten([for lk, l in var.listeners : [for k, r in l.rules : { path = "listeners[\"${lk}\"].rules[\"${k}\"]", rule = r }]]) : "${e.path}.priority = ${e.rule.priority == null ? "null" : e.rule.priority}"
    if e.rule.priority == null ? true : !(e.rule.priority >= 1 && e.rule.priority <= 50000 && floor(e.rule.priority) == e.rule.priority)]))
  }
  validation {
    condition = length([for e in flatten([for lk, l in var.listeners : [for k, r in l.rules : { path = "listeners[\"${lk}\"].rules[\"${k}\"]", rule = r }]]) : e
      if(length(e.rule.conditions.path_pattern) + length(e.rule.conditions.host_header) + length(e.rule.conditions.http_request_method)
        + length(e.rule.conditions.source_ip) + length(flatten(values(e.rule.conditions.http_headers)))
    + length(e.rule.conditions.query_strings)) < 1]) == 0
    error_message = format("Every rule needs at least one condition: %s has none.", join(", ", [for e in flatten([for lk, l in var.listeners : [for k, r in l.rules : { path = "listeners[\"${lk}\"].rules[\"${k}\"]", rule = r }]]) : "${e.path}.conditions"
      if(length(e.rule.conditions.path_pattern) + length(e.rule.conditions.host_header) + length(e.rule.conditions.http_request_method)
        + length(e.rule.conditions.source_ip) + length(flatten(values(e.rule.conditions.http_headers)))
    + length(e.rule.conditions.query_strings)) < 1]))
  }
  validation {
    condition = length([for e in flatten([for lk, l in var.listeners : [for k, r in l.rules : { path = "listeners[\"${lk}\"].rules[\"${k}\"]", rule = r }]]) : e
      if(length(e.rule.conditions.path_pattern) + length(e.rule.conditions.host_header) + length(e.rule.conditions.http_request_method)
        + length(e.rule.conditions.source_ip) + length(flatten(values(e.rule.conditions.http_headers)))
    + length(e.rule.conditions.query_strings)) > 5]) == 0
    error_message = format("A rule may hold at most 5 condition values in total (path_pattern, host_header, http_request_method, source_ip, http_headers values, query_strings): %s.", join(", ", [for e in flatten([for lk, l in var.listeners : [for k, r in l.rules : { path = "listeners[\"${lk}\"].rules[\"${k}\"]", rule = r }]]) : "${e.path}.conditions has ${length(e.rule.conditions.path_pattern) + length(e.rule.conditions.host_header) + length(e.rule.conditions.http_request_method) + length(e.rule.conditions.source_ip) + length(flatten(values(e.rule.conditions.http_headers))) + length(e.rule.conditions.query_strings)}"
      if(length(e.rule.conditions.path_pattern) + length(e.rule.conditions.host_header) + length(e.rule.conditions.http_request_method)
        + length(e.rule.conditions.source_ip) + length(flatten(values(e.rule.conditions.http_headers)))
    + length(e.rule.conditions.query_strings)) > 5]))
  }
  validation {
    condition = length(flatten([for e in flatten([for lk, l in var.listeners : [for k, r in l.rules : { path = "listeners[\"${lk}\"].rules[\"${k}\"]", rule = r }]]) : [for p in concat(e.rule.conditions.path_pattern, e.rule.conditions.host_header) : p
    if length(p) < 1 || length(p) > 128]])) == 0
    error_message = format("conditions.path_pattern and conditions.host_header values must be 1-128 characters: %s.", join(", ", flatten([for e in flatten([for lk, l in var.listeners : [for k, r in l.rules : { path = "listeners[\"${lk}\"].rules[\"${k}\"]", rule = r }]]) : [for p in concat(e.rule.conditions.path_pattern, e.rule.conditions.host_header) : "${e.path}.conditions \"${p}\""
    if length(p) < 1 || length(p) > 128]])))
  }
  validation {
    condition = length(flatten([for e in flatten([for lk, l in var.listeners : [for k, r in l.rules : { path = "listeners[\"${lk}\"].rules[\"${k}\"]", rule = r }]]) : [for c in e.rule.conditions.source_ip : c
    if !can(cidrhost(c, 0))]])) == 0
    error_message = format("conditions.source_ip values must be CIDRs (IPv4 or IPv6): %s.", join(", ", flatten([for e in flatten([for lk, l in var.listeners : [for k, r in l.rules : { path = "listeners[\"${lk}\"].rules[\"${k}\"]", rule = r }]]) : [for c in e.rule.conditions.source_ip : "${e.path}.conditions.source_ip \"${c}\""
    if !can(cidrhost(c, 0))]])))
  }
  validation {
    condition = length(flatten([for e in flatten([for lk, l in var.listeners : [for k, r in l.rules : { path = "listeners[\"${lk}\"].rules[\"${k}\"]", rule = r }]]) : [for m in e.rule.conditions.http_request_method : m
    if !can(regex("^[A-Za-z_-]{1,40}$", m))]])) == 0
    error_message = format("conditions.http_request_method values must be method names like GET or POST (letters, \"_\", \"-\", at most 40): %s.", join(", ", flatten([for e in flatten([for lk, l in var.listeners : [for k, r in l.rules : { path = "listeners[\"${lk}\"].rules[\"${k}\"]", rule = r }]]) : [for m in e.rule.conditions.http_request_method : "${e.path} \"${m}\""
    if !can(regex("^[A-Za-z_-]{1,40}$", m))]])))
  }
  validation {
    condition = length([for e in concat([for lk, l in var.listeners : { path = "listeners[\"${lk}\"].default_action", action = l.default_action }], flatten([for lk, l in var.listeners : [for k, r in l.rules : { path = "listeners[\"${lk}\"].rules[\"${k}\"].action", action = r.action }]])) : e
    if length([for a in [e.action.forward, e.action.weighted_forward, e.action.redirect, e.action.fixed_response] : a if a != null]) != 1]) == 0
    error_message = format("An action must set exactly one of forward, weighted_forward, redirect, fixed_response: %s.", join(", ", [for e in concat([for lk, l in var.listeners : { path = "listeners[\"${lk}\"].default_action", action = l.default_action }], flatten([for lk, l in var.listeners : [for k, r in l.rules : { path = "listeners[\"${lk}\"].rules[\"${k}\"].action", action = r.action }]])) : e.path
    if length([for a in [e.action.forward, e.action.weighted_forward, e.action.redirect, e.action.fixed_response] : a if a != null]) != 1]))
  }
  validation {
    condition = length([for e in concat([for lk, l in var.listeners : { path = "listeners[\"${lk}\"].default_action", action = l.default_action }], flatten([for lk, l in var.listeners : [for k, r in l.rules : { path = "listeners[\"${lk}\"].rules[\"${k}\"].action", action = r.action }]])) : e if e.action.fixed_response == null ? false :
    !can(regex("^[245][0-9][0-9]$", e.action.fixed_response.status_code))]) == 0
    error_message = format("fixed_response.status_code must be a 2XX, 4XX or 5XX code: %s.", join(", ", [for e in concat([for lk, l in var.listeners : { path = "listeners[\"${lk}\"].default_action", action = l.default_action }], flatten([for lk, l in var.listeners : [for k, r in l.rules : { path = "listeners[\"${lk}\"].rules[\"${k}\"].action", action = r.action }]])) : "${e.path}.fixed_response.status_code = ${coalesce(e.action.fixed_response.status_code, "null")}"
    if e.action.fixed_response == null ? false : !can(regex("^[245][0-9][0-9]$", e.action.fixed_response.status_code))]))
  }
  validation {
    condition = length([for e in concat([for lk, l in var.listeners : { path = "listeners[\"${lk}\"].default_action", action = l.default_action }], flatten([for lk, l in var.listeners : [for k, r in l.rules : { path = "listeners[\"${lk}\"].rules[\"${k}\"].action", action = r.action }]])) : e if e.action.fixed_response == null ? false :
    !contains(["text/plain", "text/css", "text/html", "application/javascript", "application/json"], e.action.fixed_response.content_type)]) == 0
    error_message = format("fixed_response.content_type must be one of text/plain, text/css, text/html, application/javascript, application/json: %s.", join(", ", [for e in concat([for lk, l in var.listeners : { path = "listeners[\"${lk}\"].default_action", action = l.default_action }], flatten([for lk, l in var.listeners : [for k, r in l.rules : { path = "listeners[\"${lk}\"].rules[\"${k}\"].action", action = r.action }]])) : "${e.path}.fixed_response.content_type"
    if e.action.fixed_response == null ? false : !contains(["text/plain", "text/css", "text/html", "application/javascript", "application/json"], e.action.fixed_response.content_type)]))
  }
  validation {
    # Bytes, not characters: urlencode turns each non-ASCII byte into %XX and a literal "%" into %25.
    condition = length([for e in concat([for lk, l in var.listeners : { path = "listeners[\"${lk}\"].default_action", action = l.default_action }], flatten([for lk, l in var.listeners : [for k, r in l.rules : { path = "listeners[\"${lk}\"].rules[\"${k}\"].action", action = r.action }]])) : e if e.action.fixed_response == null ? false : e.action.fixed_response.message_body == null ? false :
      (length(urlencode(e.action.fixed_response.message_body)) - 2 * length(regexall("%", urlencode(e.action.fixed_response.message_body)))) > 1024
    ]) == 0
    error_message = format("fixed_response.message_body must be at most 1024 bytes: %s.", join(", ", [for e in concat([for lk, l in var.listeners : { path = "listeners[\"${lk}\"].default_action", action = l.default_action }], flatten([for lk, l in var.listeners : [for k, r in l.rules : { path = "listeners[\"${lk}\"].rules[\"${k}\"].action", action = r.action }]])) : "${e.path}.fixed_response.message_body"
      if e.action.fixed_response == null ? false : e.action.fixed_response.message_body == null ? false :
    (length(urlencode(e.action.fixed_response.message_body)) - 2 * length(regexall("%", urlencode(e.action.fixed_response.message_body)))) > 1024]))
  }
  validation {
    condition = length([for e in concat([for lk, l in var.listeners : { path = "listeners[\"${lk}\"].default_action", action = l.default_action }], flatten([for lk, l in var.listeners : [for k, r in l.rules : { path = "listeners[\"${lk}\"].rules[\"${k}\"].action", action = r.action }]])) : e if e.action.redirect == null ? false :
    !contains(["HTTP_301", "HTTP_302"], e.action.redirect.status_code)]) == 0
    error_message = format("redirect.status_code must be HTTP_301 or HTTP_302: %s.", join(", ", [for e in concat([for lk, l in var.listeners : { path = "listeners[\"${lk}\"].default_action", action = l.default_action }], flatten([for lk, l in var.listeners : [for k, r in l.rules : { path = "listeners[\"${lk}\"].rules[\"${k}\"].action", action = r.action }]])) : "${e.path}.redirect.status_code = ${e.action.redirect.status_code}"
    if e.action.redirect == null ? false : !contains(["HTTP_301", "HTTP_302"], e.action.redirect.status_code)]))
  }
  validation {
    condition = length([for e in concat([for lk, l in var.listeners : { path = "listeners[\"${lk}\"].default_action", action = l.default_action }], flatten([for lk, l in var.listeners : [for k, r in l.rules : { path = "listeners[\"${lk}\"].rules[\"${k}\"].action", action = r.action }]])) : e if e.action.redirect == null ? false :
      !(contains(["HTTP", "HTTPS", "#{protocol}"], e.action.redirect.protocol)
    && (e.action.redirect.port == "#{port}" || can(regex("^([1-9][0-9]{0,3}|[1-5][0-9]{4}|6[0-4][0-9]{3}|65[0-4][0-9]{2}|655[0-2][0-9]|6553[0-5])$", e.action.redirect.port))))]) == 0
    error_message = format("redirect.protocol must be HTTP, HTTPS or #{protocol} and redirect.port 1-65535 or #{port}: %s.", join(", ", [for e in concat([for lk, l in var.listeners : { path = "listeners[\"${lk}\"].default_action", action = l.default_action }], flatten([for lk, l in var.listeners : [for k, r in l.rules : { path = "listeners[\"${lk}\"].rules[\"${k}\"].action", action = r.action }]])) : "${e.path}.redirect"
      if e.action.redirect == null ? false : !(contains(["HTTP", "HTTPS", "#{protocol}"], e.action.redirect.protocol)
    && (e.action.redirect.port == "#{port}" || can(regex("^([1-9][0-9]{0,3}|[1-5][0-9]{4}|6[0-4][0-9]{3}|65[0-4][0-9]{2}|655[0-2][0-9]|6553[0-5])$", e.action.redirect.port))))]))
  }
  validation {
    condition = length([for e in concat([for lk, l in var.listeners : { path = "listeners[\"${lk}\"].default_action", action = l.default_action }], flatten([for lk, l in var.listeners : [for k, r in l.rules : { path = "listeners[\"${lk}\"].rules[\"${k}\"].action", action = r.action }]])) : e if e.action.weighted_forward == null ? false :
      (length(e.action.weighted_forward.target_groups) < 1 || length(e.action.weighted_forward.target_groups) > 5
    || anytrue([for tg in values(e.action.weighted_forward.target_groups) : tg.weight < 0 || tg.weight > 999 || floor(tg.weight) != tg.weight]))]) == 0
    error_message = format("weighted_forward needs 1-5 target_groups, each weight an integer 0-999: %s.", join(", ", [for e in concat([for lk, l in var.listeners : { path = "listeners[\"${lk}\"].default_action", action = l.default_action }], flatten([for lk, l in var.listeners : [for k, r in l.rules : { path = "listeners[\"${lk}\"].rules[\"${k}\"].action", action = r.action }]])) : "${e.path}.weighted_forward.target_groups"
      if e.action.weighted_forward == null ? false : (length(e.action.weighted_forward.target_groups) < 1 || length(e.action.weighted_forward.target_groups) > 5
    || anytrue([for tg in values(e.action.weighted_forward.target_groups) : tg.weight < 0 || tg.weight > 999 || floor(tg.weight) != tg.weight]))]))
  }
  validation {
    condition = length([for e in concat([for lk, l in var.listeners : { path = "listeners[\"${lk}\"].default_action", action = l.default_action }], flatten([for lk, l in var.listeners : [for k, r in l.rules : { path = "listeners[\"${lk}\"].rules[\"${k}\"].action", action = r.action }]])) : e if e.action.weighted_forward == null ? false : e.action.weighted_forward.stickiness == null ? false :
    (e.action.weighted_forward.stickiness.duration < 1 || e.action.weighted_forward.stickiness.duration > 604800)]) == 0
    error_message = format("weighted_forward.stickiness.duration must be 1-604800 seconds: %s.", join(", ", [for e in concat([for lk, l in var.listeners : { path = "listeners[\"${lk}\"].default_action", action = l.default_action }], flatten([for lk, l in var.listeners : [for k, r in l.rules : { path = "listeners[\"${lk}\"].rules[\"${k}\"].action", action = r.action }]])) : "${e.path}.weighted_forward.stickiness.duration"
      if e.action.weighted_forward == null ? false : e.action.weighted_forward.stickiness == null ? false :
    (e.action.weighted_forward.stickiness.duration < 1 || e.action.weighted_forward.stickiness.duration > 604800)]))
  }
}

variable "associate_web_acl" {
  description = "Associate the WAFv2 web ACL web_acl_arn with the ALB. A plain bool, so the plan knows it before the ACL exists."
  type        = bool
  default     = false
  nullable    = false
}

variable "web_acl_arn" {
  description = "ARN of a REGIONAL WAFv2 web ACL (used when associate_web_acl = true)."
  type        = string
  default     = null
}

variable "route53_records" {
  description = "Alias records to the ALB keyed by your own keys. type: A or AAAA (AAAA needs ip_address_type = dualstack)."
  type = map(object({
    zone_id                = string
    name                   = string
    type                   = optional(string, "A")
    evaluate_target_health = optional(bool, true)
  }))
  default  = {}
  nullable = false

  validation {
    condition     = length([for k, r in var.route53_records : k if !contains(["A", "AAAA"], r.type)]) == 0
    error_message = format("route53_records[*].type must be A or AAAA: %s.", join(", ", [for k, r in var.route53_records : "route53_records[\"${k}\"].type = \"${r.type}\"" if !contains(["A", "AAAA"], r.type)]))
  }
}

variable "tags" {
  description = "Tags for every resource that takes tags."
  type        = map(string)
  default     = {}
  nullable    = false
}
