variable "listener_arn" {
  description = "ARN of the listener the rules belong to (any ALB listener, also one this module did not create)."
  type        = string
  nullable    = false
}

variable "target_group_arns" {
  description = "Target group ARNs keyed by the keys the rules' forward and weighted_forward actions use."
  type        = map(string)
  default     = {}
  nullable    = false
}

variable "rules" {
  description = <<-EOT
    Listener rules keyed by your own keys. priority: 1-50000, unique. conditions: path_pattern, host_header,
    http_request_method, source_ip (lists), http_headers (header name => values), query_strings ([{key, value}]);
    1-5 values in total. action: exactly one of forward, weighted_forward, redirect, fixed_response.
  EOT
  type = map(object({
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
  }))
  default  = {}
  nullable = false

  validation {
    condition     = length(distinct([for r in values(var.rules) : r.priority])) == length(var.rules)
    error_message = format("Rule priorities must be unique per listener: %s.", join(", ", [for k, r in var.rules : "rules[\"${k}\"].priority = ${r.priority == null ? "null" : r.priority}"]))
  }
  validation {
    condition = length([for e in [for k, r in var.rules : { path = "rules[\"${k}\"]", rule = r }] : e
    if e.rule.priority == null ? true : !(e.rule.priority >= 1 && e.rule.priority <= 50000 && floor(e.rule.priority) == e.rule.priority)]) == 0
    error_message = format("Rule priority must be an integer 1-50000: %s.", join(", ", [for e in [for k, r in var.rules : { path = "rules[\"${k}\"]", rule = r }] : "${e.path}.priority = ${e.rule.priority == null ? "null" : e.rule.priority}"
    if e.rule.priority == null ? true : !(e.rule.priority >= 1 && e.rule.priority <= 50000 && floor(e.rule.priority) == e.rule.priority)]))
  }
  validation {
    condition = length([for e in [for k, r in var.rules : { path = "rules[\"${k}\"]", rule = r }] : e
      if(length(e.rule.conditions.path_pattern) + length(e.rule.conditions.host_header) + length(e.rule.conditions.http_request_method)
        + length(e.rule.conditions.source_ip) + length(flatten(values(e.rule.conditions.http_headers)))
    + length(e.rule.conditions.query_strings)) < 1]) == 0
    error_message = format("Every rule needs at least one condition: %s has none.", join(", ", [for e in [for k, r in var.rules : { path = "rules[\"${k}\"]", rule = r }] : "${e.path}.conditions"
      if(length(e.rule.conditions.path_pattern) + length(e.rule.conditions.host_header) + length(e.rule.conditions.http_request_method)
        + length(e.rule.conditions.source_ip) + length(flatten(values(e.rule.conditions.http_headers)))
    + length(e.rule.conditions.query_strings)) < 1]))
  }
  validation {
    condition = length([for e in [for k, r in var.rules : { path = "rules[\"${k}\"]", rule = r }] : e
      if(length(e.rule.conditions.path_pattern) + length(e.rule.conditions.host_header) + length(e.rule.conditions.http_request_method)
        + length(e.rule.conditions.source_ip) + length(flatten(values(e.rule.conditions.http_headers)))
    + length(e.rule.conditions.query_strings)) > 5]) == 0
    error_message = format("A rule may hold at most 5 condition values in total (path_pattern, host_header, http_request_method, source_ip, http_headers values, query_strings): %s.", join(", ", [for e in [for k, r in var.rules : { path = "rules[\"${k}\"]", rule = r }] : "${e.path}.conditions has ${length(e.rule.conditions.path_pattern) + length(e.rule.conditions.host_header) + length(e.rule.conditions.http_request_method) + length(e.rule.conditions.source_ip) + length(flatten(values(e.rule.conditions.http_headers))) + length(e.rule.conditions.query_strings)}"
      if(length(e.rule.conditions.path_pattern) + length(e.rule.conditions.host_header) + length(e.rule.conditions.http_request_method)
        + length(e.rule.conditions.source_ip) + length(flatten(values(e.rule.conditions.http_headers)))
    + length(e.rule.conditions.query_strings)) > 5]))
  }
  validation {
    condition = length(flatten([for e in [for k, r in var.rules : { path = "rules[\"${k}\"]", rule = r }] : [for p in concat(e.rule.conditions.path_pattern, e.rule.conditions.host_header) : p
    if length(p) < 1 || length(p) > 128]])) == 0
    error_message = format("conditions.path_pattern and conditions.host_header values must be 1-128 characters: %s.", join(", ", flatten([for e in [for k, r in var.rules : { path = "rules[\"${k}\"]", rule = r }] : [for p in concat(e.rule.conditions.path_pattern, e.rule.conditions.host_header) : "${e.path}.conditions \"${p}\""
    if length(p) < 1 || length(p) > 128]])))
  }
  validation {
    condition = length(flatten([for e in [for k, r in var.rules : { path = "rules[\"${k}\"]", rule = r }] : [for c in e.rule.conditions.source_ip : c
    if !can(cidrhost(c, 0))]])) == 0
    error_message = format("conditions.source_ip values must be CIDRs (IPv4 or IPv6): %s.", join(", ", flatten([for e in [for k, r in var.rules : { path = "rules[\"${k}\"]", rule = r }] : [for c in e.rule.conditions.source_ip : "${e.path}.conditions.source_ip \"${c}\""
    if !can(cidrhost(c, 0))]])))
  }
  validation {
    condition = length(flatten([for e in [for k, r in var.rules : { path = "rules[\"${k}\"]", rule = r }] : [for m in e.rule.conditions.http_request_method : m
    if !can(regex("^[A-Za-z_-]{1,40}$", m))]])) == 0
    error_message = format("conditions.http_request_method values must be method names like GET or POST (letters, \"_\", \"-\", at most 40): %s.", join(", ", flatten([for e in [for k, r in var.rules : { path = "rules[\"${k}\"]", rule = r }] : [for m in e.rule.conditions.http_request_method : "${e.path} \"${m}\""
    if !can(regex("^[A-Za-z_-]{1,40}$", m))]])))
  }
  validation {
    condition = length([for e in [for k, r in var.rules : { path = "rules[\"${k}\"].action", action = r.action }] : e
    if length([for a in [e.action.forward, e.action.weighted_forward, e.action.redirect, e.action.fixed_response] : a if a != null]) != 1]) == 0
    error_message = format("An action must set exactly one of forward, weighted_forward, redirect, fixed_response: %s.", join(", ", [for e in [for k, r in var.rules : { path = "rules[\"${k}\"].action", action = r.action }] : e.path
    if length([for a in [e.action.forward, e.action.weighted_forward, e.action.redirect, e.action.fixed_response] : a if a != null]) != 1]))
  }
  validation {
    condition = length([for e in [for k, r in var.rules : { path = "rules[\"${k}\"].action", action = r.action }] : e if e.action.fixed_response == null ? false :
    !can(regex("^[245][0-9][0-9]$", e.action.fixed_response.status_code))]) == 0
    error_message = format("fixed_response.status_code must be a 2XX, 4XX or 5XX code: %s.", join(", ", [for e in [for k, r in var.rules : { path = "rules[\"${k}\"].action", action = r.action }] : "${e.path}.fixed_response.status_code = ${coalesce(e.action.fixed_response.status_code, "null")}"
    if e.action.fixed_response == null ? false : !can(regex("^[245][0-9][0-9]$", e.action.fixed_response.status_code))]))
  }
  validation {
    condition = length([for e in [for k, r in var.rules : { path = "rules[\"${k}\"].action", action = r.action }] : e if e.action.fixed_response == null ? false :
    !contains(["text/plain", "text/css", "text/html", "application/javascript", "application/json"], e.action.fixed_response.content_type)]) == 0
    error_message = format("fixed_response.content_type must be one of text/plain, text/css, text/html, application/javascript, application/json: %s.", join(", ", [for e in [for k, r in var.rules : { path = "rules[\"${k}\"].action", action = r.action }] : "${e.path}.fixed_response.content_type"
    if e.action.fixed_response == null ? false : !contains(["text/plain", "text/css", "text/html", "application/javascript", "application/json"], e.action.fixed_response.content_type)]))
  }
  validation {
    # Bytes, not characters: urlencode turns each non-ASCII byte into %XX and a literal "%" into %25.
    condition = length([for e in [for k, r in var.rules : { path = "rules[\"${k}\"].action", action = r.action }] : e if e.action.fixed_response == null ? false : e.action.fixed_response.message_body == null ? false :
      (length(urlencode(e.action.fixed_response.message_body)) - 2 * length(regexall("%", urlencode(e.action.fixed_response.message_body)))) > 1024
    ]) == 0
    error_message = format("fixed_response.message_body must be at most 1024 bytes: %s.", join(", ", [for e in [for k, r in var.rules : { path = "rules[\"${k}\"].action", action = r.action }] : "${e.path}.fixed_response.message_body"
      if e.action.fixed_response == null ? false : e.action.fixed_response.message_body == null ? false :
    (length(urlencode(e.action.fixed_response.message_body)) - 2 * length(regexall("%", urlencode(e.action.fixed_response.message_body)))) > 1024]))
  }
  validation {
    condition = length([for e in [for k, r in var.rules : { path = "rules[\"${k}\"].action", action = r.action }] : e if e.action.redirect == null ? false :
    !contains(["HTTP_301", "HTTP_302"], e.action.redirect.status_code)]) == 0
    error_message = format("redirect.status_code must be HTTP_301 or HTTP_302: %s.", join(", ", [for e in [for k, r in var.rules : { path = "rules[\"${k}\"].action", action = r.action }] : "${e.path}.redirect.status_code = ${e.action.redirect.status_code}"
    if e.action.redirect == null ? false : !contains(["HTTP_301", "HTTP_302"], e.action.redirect.status_code)]))
  }
  validation {
    condition = length([for e in [for k, r in var.rules : { path = "rules[\"${k}\"].action", action = r.action }] : e if e.action.redirect == null ? false :
      !(contains(["HTTP", "HTTPS", "#{protocol}"], e.action.redirect.protocol)
    && (e.action.redirect.port == "#{port}" || can(regex("^([1-9][0-9]{0,3}|[1-5][0-9]{4}|6[0-4][0-9]{3}|65[0-4][0-9]{2}|655[0-2][0-9]|6553[0-5])$", e.action.redirect.port))))]) == 0
    error_message = format("redirect.protocol must be HTTP, HTTPS or #{protocol} and redirect.port 1-65535 or #{port}: %s.", join(", ", [for e in [for k, r in var.rules : { path = "rules[\"${k}\"].action", action = r.action }] : "${e.path}.redirect"
      if e.action.redirect == null ? false : !(contains(["HTTP", "HTTPS", "#{protocol}"], e.action.redirect.protocol)
    && (e.action.redirect.port == "#{port}" || can(regex("^([1-9][0-9]{0,3}|[1-5][0-9]{4}|6[0-4][0-9]{3}|65[0-4][0-9]{2}|655[0-2][0-9]|6553[0-5])$", e.action.redirect.port))))]))
  }
  validation {
    condition = length([for e in [for k, r in var.rules : { path = "rules[\"${k}\"].action", action = r.action }] : e if e.action.weighted_forward == null ? false :
      (length(e.action.weighted_forward.target_groups) < 1 || length(e.action.weighted_forward.target_groups) > 5
    || anytrue([for tg in values(e.action.weighted_forward.target_groups) : tg.weight < 0 || tg.weight > 999 || floor(tg.weight) != tg.weight]))]) == 0
    error_message = format("weighted_forward needs 1-5 target_groups, each weight an integer 0-999: %s.", join(", ", [for e in [for k, r in var.rules : { path = "rules[\"${k}\"].action", action = r.action }] : "${e.path}.weighted_forward.target_groups"
      if e.action.weighted_forward == null ? false : (length(e.action.weighted_forward.target_groups) < 1 || length(e.action.weighted_forward.target_groups) > 5
    || anytrue([for tg in values(e.action.weighted_forward.target_groups) : tg.weight < 0 || tg.weight > 999 || floor(tg.weight) != tg.weight]))]))
  }
  validation {
    condition = length([for e in [for k, r in var.rules : { path = "rules[\"${k}\"].action", action = r.action }] : e if e.action.weighted_forward == null ? false : e.action.weighted_forward.stickiness == null ? false :
    (e.action.weighted_forward.stickiness.duration < 1 || e.action.weighted_forward.stickiness.duration > 604800)]) == 0
    error_message = format("weighted_forward.stickiness.duration must be 1-604800 seconds: %s.", join(", ", [for e in [for k, r in var.rules : { path = "rules[\"${k}\"].action", action = r.action }] : "${e.path}.weighted_forward.stickiness.duration"
      if e.action.weighted_forward == null ? false : e.action.weighted_forward.stickiness == null ? false :
    (e.action.weighted_forward.stickiness.duration < 1 || e.action.weighted_forward.stickiness.duration > 604800)]))
  }
}

variable "tags" {
  description = "Tags for every rule (merged under each rule's own tags)."
  type        = map(string)
  default     = {}
  nullable    = false
}
