variable "listener_arn" {
  description = "ARN of the ALB listener the rules belong to (any ALB listener, also one this module did not create)."
  type        = string
  nullable    = false

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:elasticloadbalancing:[a-z0-9-]+:[0-9]{12}:listener/app/[A-Za-z0-9-]{1,32}/[0-9a-f]+/[0-9a-f]+$", var.listener_arn))
    error_message = "listener_arn must be an Application Load Balancer listener ARN (arn:aws:elasticloadbalancing:<region>:<account>:listener/app/<name>/<id>/<id>)${local.caller}: got \"${var.listener_arn}\"."
  }
  validation {
    condition = !can(regex("^arn:[^:]+:elasticloadbalancing:[^:]*:", var.listener_arn)) ? true : (
    split(":", var.listener_arn)[1] == local.partition && split(":", var.listener_arn)[3] == local.region)
    error_message = "listener_arn must be in the provider's partition and region (${local.partition}, ${local.region})${local.caller}: got \"${var.listener_arn}\"."
  }
}

variable "target_group_arns" {
  description = "Target group ARNs keyed by the keys the forward and weighted_forward actions use (the root module's target_group_arns output fits)."
  type        = map(string)
  default     = {}
  nullable    = false

  validation {
    condition = alltrue([for k, arn in var.target_group_arns :
    can(regex("^arn:aws[a-z-]*:elasticloadbalancing:[a-z0-9-]+:[0-9]{12}:targetgroup/[A-Za-z0-9-]{1,32}/[0-9a-f]+$", arn))])
    error_message = format("target_group_arns values must be target group ARNs (arn:aws:elasticloadbalancing:<region>:<account>:targetgroup/<name>/<id>)%s: %s.", local.caller, join(", ", [for k, arn in var.target_group_arns : "target_group_arns[\"${k}\"] = \"${arn}\"" if !can(regex("^arn:aws[a-z-]*:elasticloadbalancing:[a-z0-9-]+:[0-9]{12}:targetgroup/[A-Za-z0-9-]{1,32}/[0-9a-f]+$", arn))]))
  }
  validation {
    condition = alltrue([for arn in values(var.target_group_arns) : !can(regex("^arn:[^:]+:elasticloadbalancing:[^:]*:", arn)) ? true
    : (split(":", arn)[1] == local.partition && split(":", arn)[3] == local.region)])
    error_message = format("target_group_arns must be in the provider's partition and region (%s, %s)%s: %s.", local.partition, local.region, local.caller, join(", ", [for k, arn in var.target_group_arns : "target_group_arns[\"${k}\"] = \"${arn}\""
      if !can(regex("^arn:[^:]+:elasticloadbalancing:[^:]*:", arn)) ? false
    : !(split(":", arn)[1] == local.partition && split(":", arn)[3] == local.region)]))
  }
}

variable "target_group_protocols" {
  description = "Protocol version (HTTP1, HTTP2, GRPC) of the target groups, keyed like target_group_arns, when you know it: forwarding to an HTTP2 or GRPC group is then refused on an HTTP listener (listener_protocol). Keys left out count as HTTP1."
  type        = map(string)
  default     = {}
  nullable    = false
}

variable "listener_protocol" {
  description = "Protocol of the listener (HTTP or HTTPS), when you know it: redirects are then also checked against it (no HTTPS to HTTP, no redirect to the same URL). null: not checked."
  type        = string
  default     = null

  validation {
    condition     = var.listener_protocol == null ? true : contains(["HTTP", "HTTPS"], var.listener_protocol)
    error_message = "listener_protocol must be HTTP, HTTPS or null${local.caller}: got \"${coalesce(var.listener_protocol, "null")}\"."
  }
}

variable "listener_port" {
  description = "Port of the listener, when you know it: a redirect to the same protocol, host, port and path is then refused. null: not checked."
  type        = number
  default     = null
}

variable "reserved_priorities" {
  description = <<-EOT
    Priorities already used on the listener by rules managed elsewhere: a rule here may not take one. For rules added
    to a listener of the root module, pass module.<alb>.rule_priorities["<listener_key>"].
  EOT
  type        = list(number)
  default     = []
  nullable    = false
}

variable "default_action" {
  description = <<-EOT
    The listener's default action, when the listener is managed together with these rules (modules/listener passes
    it): checked like the rules' actions, rendered for the listener (output default_action) and listed last in
    routing_table. Exactly one of forward, weighted_forward, redirect, fixed_response, as for a rule's action.
  EOT
  type = object({
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
  default = null
}

variable "rules" {
  description = <<-EOT
    Listener rules keyed by your own keys. priority: 1-50000, unique on the listener. conditions: path_pattern,
    host_header, http_request_method, source_ip (lists), http_headers (header name => values), query_strings
    ([{key, value}]); 1-5 values and at most 5 wildcards (* ?) per rule. action: exactly one of forward
    {target_group_key}, weighted_forward {target_groups = {key = {weight}}, stickiness}, redirect {protocol, port,
    host, path, query, status_code}, fixed_response {status_code, content_type, message_body}.
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
    condition = alltrue([for k, r in var.rules :
    r.priority == null ? false : (r.priority >= 1 && r.priority <= 50000 && floor(r.priority) == r.priority)])
    error_message = format("Rule priority must be an integer 1-50000%s: %s.", local.caller, join(", ", [for k, r in var.rules :
      "${local.path}rules[\"${k}\"].priority = ${r.priority == null ? "null" : r.priority}"
    if r.priority == null ? true : !(r.priority >= 1 && r.priority <= 50000 && floor(r.priority) == r.priority)]))
  }
  validation {
    condition     = length(distinct([for r in values(var.rules) : r.priority])) == length(var.rules)
    error_message = format("Rule priorities must be unique per listener%s: %s.", local.caller, join(", ", [for k, r in var.rules : "${local.path}rules[\"${k}\"].priority = ${r.priority == null ? "null" : r.priority}"]))
  }
  validation {
    condition     = alltrue([for r in values(var.rules) : r.priority == null ? true : !contains(var.reserved_priorities, r.priority)])
    error_message = format("Rule priority is already taken on this listener by rules managed elsewhere (reserved_priorities %s)%s: %s.", jsonencode(var.reserved_priorities), local.caller, join(", ", [for k, r in var.rules : "${local.path}rules[\"${k}\"].priority = ${r.priority}" if r.priority == null ? false : contains(var.reserved_priorities, r.priority)]))
  }
  validation {
    condition = alltrue([for r in values(var.rules) : (length(r.conditions.path_pattern) + length(r.conditions.host_header)
      + length(r.conditions.http_request_method) + length(r.conditions.source_ip)
    + length(flatten(values(r.conditions.http_headers))) + length(r.conditions.query_strings)) >= 1])
    error_message = format("Every rule needs at least one condition%s: %s has none.", local.caller, join(", ", [for k, r in var.rules : "${local.path}rules[\"${k}\"].conditions"
      if(length(r.conditions.path_pattern) + length(r.conditions.host_header) + length(r.conditions.http_request_method)
    + length(r.conditions.source_ip) + length(flatten(values(r.conditions.http_headers))) + length(r.conditions.query_strings)) < 1]))
  }
  validation {
    condition = alltrue([for r in values(var.rules) : (length(r.conditions.path_pattern) + length(r.conditions.host_header)
      + length(r.conditions.http_request_method) + length(r.conditions.source_ip)
    + length(flatten(values(r.conditions.http_headers))) + length(r.conditions.query_strings)) <= 5])
    error_message = format("A rule may hold at most 5 condition values in total (path_pattern, host_header, http_request_method, source_ip, http_headers values, query_strings)%s: %s.", local.caller, join(", ", [for k, r in var.rules :
      "${local.path}rules[\"${k}\"].conditions has ${length(r.conditions.path_pattern) + length(r.conditions.host_header) + length(r.conditions.http_request_method) + length(r.conditions.source_ip) + length(flatten(values(r.conditions.http_headers))) + length(r.conditions.query_strings)}"
      if(length(r.conditions.path_pattern) + length(r.conditions.host_header) + length(r.conditions.http_request_method)
    + length(r.conditions.source_ip) + length(flatten(values(r.conditions.http_headers))) + length(r.conditions.query_strings)) > 5]))
  }
  validation {
    # Wildcards are counted as characters; an escaped \* or \? in a query string is a literal, not a wildcard.
    condition = alltrue([for r in values(var.rules) : length(flatten([
      for s in concat(r.conditions.path_pattern, r.conditions.host_header, flatten(values(r.conditions.http_headers))) : regexall("[*?]", s)
      ])) + sum(concat([0], [for q in r.conditions.query_strings : length(regexall("[*?]", "${q.key == null ? "" : q.key}${q.value}")) - length(regexall("\\\\[*?]", "${q.key == null ? "" : q.key}${q.value}"))])) <= 5
    ])
    error_message = format("A rule may hold at most 5 wildcards (* or ?) in its path_pattern, host_header, http_headers and query_strings values%s: %s.", local.caller, join(", ", [for k, r in var.rules : "${local.path}rules[\"${k}\"].conditions" if length(flatten([
      for s in concat(r.conditions.path_pattern, r.conditions.host_header, flatten(values(r.conditions.http_headers))) : regexall("[*?]", s)
    ])) + sum(concat([0], [for q in r.conditions.query_strings : length(regexall("[*?]", "${q.key == null ? "" : q.key}${q.value}")) - length(regexall("\\\\[*?]", "${q.key == null ? "" : q.key}${q.value}"))])) > 5]))
  }
  validation {
    condition     = alltrue(flatten([for r in values(var.rules) : [for p in r.conditions.path_pattern : can(regex("^[A-Za-z0-9_.$/~\"'@:+&*?-]{1,128}$", p))]]))
    error_message = format("conditions.path_pattern values must be 1-128 characters of A-Z a-z 0-9 _ - . $ / ~ \" ' @ : + & * ?%s: %s.", local.caller, join(", ", flatten([for k, r in var.rules : [for p in r.conditions.path_pattern : "${local.path}rules[\"${k}\"].conditions.path_pattern \"${p}\"" if !can(regex("^[A-Za-z0-9_.$/~\"'@:+&*?-]{1,128}$", p))]])))
  }
  validation {
    # The pattern is matched against the URL's path, which starts with "/": a scheme, host or relative path never matches.
    condition     = alltrue(flatten([for r in values(var.rules) : [for p in r.conditions.path_pattern : can(regex("^[/*?]", p))]]))
    error_message = format("conditions.path_pattern values match the request's path: they start with \"/\" (or a wildcard), not with a scheme or host name%s: %s.", local.caller, join(", ", flatten([for k, r in var.rules : [for p in r.conditions.path_pattern : "${local.path}rules[\"${k}\"].conditions.path_pattern \"${p}\"" if !can(regex("^[/*?]", p))]])))
  }
  validation {
    condition = alltrue(flatten([for r in values(var.rules) : [for h in r.conditions.host_header :
    can(regex("^[A-Za-z0-9_.*?-]{1,128}$", h)) && can(regex("\\.[A-Za-z]+$", h))]]))
    error_message = format("conditions.host_header values must be 1-128 characters of A-Z a-z 0-9 - _ . * ?, with at least one \".\" and only letters after the last one%s: %s.", local.caller, join(", ", flatten([for k, r in var.rules : [for h in r.conditions.host_header : "${local.path}rules[\"${k}\"].conditions.host_header \"${h}\""
    if !(can(regex("^[A-Za-z0-9_.*?-]{1,128}$", h)) && can(regex("\\.[A-Za-z]+$", h)))]])))
  }
  validation {
    # RFC 7230 token characters; wildcards match header values, never names.
    condition = alltrue(flatten([for r in values(var.rules) : [for name in keys(r.conditions.http_headers) :
    can(regex("^[A-Za-z0-9!#$%&'+.^_`|~-]{1,40}$", name)) && lower(name) != "host"]]))
    error_message = format("conditions.http_headers names must be 1-40 characters of A-Z a-z 0-9 - ! # $ %% & ' + . ^ _ ` | ~ (no wildcards: * and ? match values only) and not Host (use host_header)%s: %s.", local.caller, join(", ", flatten([for k, r in var.rules : [for name in keys(r.conditions.http_headers) : "${local.path}rules[\"${k}\"].conditions.http_headers[\"${name}\"]"
    if !(can(regex("^[A-Za-z0-9!#$%&'+.^_`|~-]{1,40}$", name)) && lower(name) != "host")]])))
  }
  validation {
    condition = alltrue(flatten([for r in values(var.rules) : [for name, vals in r.conditions.http_headers :
    length(vals) > 0 && alltrue([for v in vals : can(regex("^[A-Za-z0-9 !\"#$%&'()+,./:;<=>@\\[\\]^_`{|}~*?-]{1,128}$", v))])]]))
    error_message = format("conditions.http_headers values must be a non-empty list of 1-128 characters each: letters, digits, space and !\"#$%%&'()+,./:;<=>@[]^_`{|}~-*?%s: %s.", local.caller, join(", ", flatten([for k, r in var.rules : [for name, vals in r.conditions.http_headers : "${local.path}rules[\"${k}\"].conditions.http_headers[\"${name}\"]"
    if !(length(vals) > 0 && alltrue([for v in vals : can(regex("^[A-Za-z0-9 !\"#$%&'()+,./:;<=>@\\[\\]^_`{|}~*?-]{1,128}$", v))]))]])))
  }
  validation {
    condition     = alltrue(flatten([for r in values(var.rules) : [for m in r.conditions.http_request_method : can(regex("^[A-Z_-]{1,40}$", m))]]))
    error_message = format("conditions.http_request_method values must be 1-40 characters of A-Z, \"_\" and \"-\" (upper case, e.g. GET)%s: %s.", local.caller, join(", ", flatten([for k, r in var.rules : [for m in r.conditions.http_request_method : "${local.path}rules[\"${k}\"].conditions.http_request_method \"${m}\"" if !can(regex("^[A-Z_-]{1,40}$", m))]])))
  }
  validation {
    condition = alltrue(flatten([for r in values(var.rules) : [for q in r.conditions.query_strings :
      (q.key == null ? true : can(regex("^[A-Za-z0-9_.$/~\"'@:+&()!,;=*?\\\\-]{1,128}$", q.key)))
    && can(regex("^[A-Za-z0-9_.$/~\"'@:+&()!,;=*?\\\\-]{1,128}$", q.value))]]))
    error_message = format("conditions.query_strings keys and values must be 1-128 characters of A-Z a-z 0-9 _ - . $ / ~ \" ' @ : + & ( ) ! , ; = * ? and \\ (to escape * and ?)%s: %s.", local.caller, join(", ", flatten([for k, r in var.rules : [for i, q in r.conditions.query_strings : "${local.path}rules[\"${k}\"].conditions.query_strings[${i}]"
      if !((q.key == null ? true : can(regex("^[A-Za-z0-9_.$/~\"'@:+&()!,;=*?\\\\-]{1,128}$", q.key)))
    && can(regex("^[A-Za-z0-9_.$/~\"'@:+&()!,;=*?\\\\-]{1,128}$", q.value)))]])))
  }
  validation {
    condition     = alltrue(flatten([for r in values(var.rules) : [for c in r.conditions.source_ip : can(cidrhost(c, 0))]]))
    error_message = format("conditions.source_ip values must be CIDRs (IPv4 or IPv6)%s: %s.", local.caller, join(", ", flatten([for k, r in var.rules : [for c in r.conditions.source_ip : "${local.path}rules[\"${k}\"].conditions.source_ip \"${c}\"" if !can(cidrhost(c, 0))]])))
  }
  validation {
    condition = alltrue(flatten([for r in values(var.rules) : [for k, v in r.tags : length(k) >= 1 && length(k) <= 128 && length(v) <= 256
    && !startswith(lower(k), "aws:") && can(regex(local.tag_pattern, k)) && can(regex(local.tag_pattern, v)) && trimspace(k) == k && trimspace(v) == v]]))
    error_message = format("Tags must be ELB tags: keys 1-128 and values up to 256 characters of letters, digits, spaces and _ . : / = + - @ (no leading or trailing space), keys not starting with \"aws:\"%s: %s.", local.caller, join(", ", flatten([for rk, r in var.rules : [for k, v in r.tags : "${local.path}rules[\"${rk}\"].tags[\"${k}\"] = \"${v}\""
      if !(length(k) >= 1 && length(k) <= 128 && length(v) <= 256 && !startswith(lower(k), "aws:") && can(regex(local.tag_pattern, k))
    && can(regex(local.tag_pattern, v)) && trimspace(k) == k && trimspace(v) == v)]])))
  }
  validation {
    condition     = alltrue([for r in values(var.rules) : length(r.tags) == 0 || length(merge(var.tags, r.tags)) <= 50])
    error_message = format("A resource takes at most 50 tags, those it inherits included%s: %s.", local.caller, join(", ", [for k, r in var.rules : "${local.path}rules[\"${k}\"].tags has ${length(merge(var.tags, r.tags))} with the inherited ones" if length(r.tags) > 0 && length(merge(var.tags, r.tags)) > 50]))
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
  description = "How error messages name the inputs: path goes before every field (the root module passes listeners[\"<key>\"]. for the rules of a listener), caller after the rule (ALB \"<name>\"); checked holds values the caller has checked and reported under its own names (tags), which are not checked a second time here. Leave it unset when you call this module yourself."
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
  description = "Tags for every rule, merged under each rule's own tags (at most 50 per rule): keys 1-128 and values up to 256 characters of letters, digits, spaces and _ . : / = + - @, no leading or trailing space, keys not starting with \"aws:\"."
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
