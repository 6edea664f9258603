variable "load_balancer_arn" {
  description = "ARN of the Application Load Balancer the listener belongs to."
  type        = string
  nullable    = false

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:elasticloadbalancing:[a-z0-9-]+:[0-9]{12}:loadbalancer/app/[A-Za-z0-9-]{1,32}/[0-9a-f]+$", var.load_balancer_arn))
    error_message = "load_balancer_arn must be an Application Load Balancer ARN (arn:aws:elasticloadbalancing:<region>:<account>:loadbalancer/app/<name>/<id>)${local.caller}: got \"${var.load_balancer_arn}\"."
  }
  validation {
    condition = !can(regex("^arn:[^:]+:elasticloadbalancing:[^:]*:", var.load_balancer_arn)) ? true : (
    split(":", var.load_balancer_arn)[1] == local.partition && split(":", var.load_balancer_arn)[3] == local.region)
    error_message = "load_balancer_arn must be in the provider's partition and region (${local.partition}, ${local.region})${local.caller}: got \"${var.load_balancer_arn}\"."
  }
}

variable "port" {
  description = "Port the listener accepts connections on (1-65535), unique per load balancer."
  type        = number
  default     = null

  validation {
    condition     = var.port == null ? false : (var.port >= 1 && var.port <= 65535 && floor(var.port) == var.port)
    error_message = "Listener port must be an integer 1-65535${local.caller}: ${local.path}port = ${var.port == null ? "null" : var.port}."
  }
}

variable "protocol" {
  description = "HTTP or HTTPS."
  type        = string
  default     = "HTTP"
  nullable    = false

  validation {
    condition     = contains(["HTTP", "HTTPS"], var.protocol)
    error_message = "Listener protocol must be HTTP or HTTPS${local.caller}: ${local.path}protocol = \"${var.protocol}\"."
  }
}

variable "certificate_arn" {
  description = "Default certificate (ACM or IAM server certificate ARN): required for HTTPS, not allowed for HTTP."
  type        = string
  default     = null

  validation {
    condition     = var.protocol == "HTTPS" ? var.certificate_arn != null : true
    error_message = "An HTTPS listener needs certificate_arn${local.caller}: ${local.path}certificate_arn is not set."
  }
  validation {
    condition     = var.protocol == "HTTPS" || !anytrue([var.certificate_arn != null, length(var.additional_certificate_arns) > 0])
    error_message = "An HTTP listener takes no certificates; use protocol = \"HTTPS\"${local.caller}: ${local.path}certificate_arn / additional_certificate_arns are set."
  }
  validation {
    condition = alltrue([for arn in concat(var.certificate_arn == null ? [] : [var.certificate_arn], values(var.additional_certificate_arns)) :
    can(regex("^arn:aws[a-z-]*:(acm:[a-z0-9-]+:[0-9]{12}:certificate/[A-Za-z0-9-]+|iam::[0-9]{12}:server-certificate/.+)$", arn))])
    error_message = format("Certificate ARNs must be ACM (arn:aws:acm:<region>:<account>:certificate/<id>) or IAM server certificate ARNs (arn:aws:iam::<account>:server-certificate/<name>)%s: %s.", local.caller, join(", ", [for p, arn in merge(var.certificate_arn == null ? {} : { "certificate_arn" = var.certificate_arn }, { for k, v in var.additional_certificate_arns : "additional_certificate_arns[\"${k}\"]" => v }) :
    "${local.path}${p} = \"${arn}\"" if !can(regex("^arn:aws[a-z-]*:(acm:[a-z0-9-]+:[0-9]{12}:certificate/[A-Za-z0-9-]+|iam::[0-9]{12}:server-certificate/.+)$", arn))]))
  }
  validation {
    # ACM certificates are regional: the load balancer's region. IAM server certificates are global (no region).
    condition = alltrue([for arn in concat(var.certificate_arn == null ? [] : [var.certificate_arn], values(var.additional_certificate_arns)) :
      !can(regex("^arn:[^:]+:(acm|iam):", arn)) ? true : (split(":", arn)[1] == local.partition
    && (split(":", arn)[2] == "iam" || split(":", arn)[3] == local.region))])
    error_message = format("Certificates must be in the load balancer's partition and, from ACM, its region (%s, %s: ACM certificates are regional)%s: %s.", local.partition, local.region, local.caller, join(", ", [for p, arn in merge(var.certificate_arn == null ? {} : { "certificate_arn" = var.certificate_arn }, { for k, v in var.additional_certificate_arns : "additional_certificate_arns[\"${k}\"]" => v }) :
      "${local.path}${p} = \"${arn}\"" if !can(regex("^arn:[^:]+:(acm|iam):", arn)) ? false : !(split(":", arn)[1] == local.partition
    && (split(":", arn)[2] == "iam" || split(":", arn)[3] == local.region))]))
  }
}

variable "additional_certificate_arns" {
  description = "Extra certificates served by SNI, keyed by your own names (HTTPS only)."
  type        = map(string)
  default     = {}
  nullable    = false
}

variable "ssl_policy" {
  description = "TLS security policy of an HTTPS listener (ignored for HTTP): one of the policies AWS documents for ALBs (ssl-policies.json in this module) or of additional_ssl_policies."
  type        = string
  default     = "ELBSecurityPolicy-TLS13-1-2-2021-06"
  nullable    = false

  validation {
    condition     = contains(concat(local.ssl_policies, var.additional_ssl_policies), var.ssl_policy)
    error_message = "ssl_policy must be one of the security policies AWS documents for ALBs (modules/listener/ssl-policies.json; a newer one goes in additional_ssl_policies), e.g. ELBSecurityPolicy-TLS13-1-2-2021-06${local.caller}: ${local.path}ssl_policy = \"${var.ssl_policy}\"."
  }
}

variable "additional_ssl_policies" {
  description = "Security policies AWS added after this module's list (ssl-policies.json), accepted as ssl_policy. Each follows AWS's naming scheme ELBSecurityPolicy-[TLS13-|TLS-|FS-<variant>-]<yyyy>-<mm>."
  type        = list(string)
  default     = []
  nullable    = false

  validation {
    condition     = alltrue([for p in var.additional_ssl_policies : can(regex("^ELBSecurityPolicy-((TLS13|TLS|FS)(-[A-Za-z0-9]+)*-)?20[0-9]{2}-(0[1-9]|1[0-2])$", p))])
    error_message = format("additional_ssl_policies must follow AWS's naming scheme ELBSecurityPolicy-[TLS13-|TLS-|FS-<variant>-]<yyyy>-<mm>%s: %s.", local.caller, join(", ", [for i, p in var.additional_ssl_policies : "${local.path}additional_ssl_policies[${i}] = \"${p}\"" if !can(regex("^ELBSecurityPolicy-((TLS13|TLS|FS)(-[A-Za-z0-9]+)*-)?20[0-9]{2}-(0[1-9]|1[0-2])$", p))]))
  }
}

variable "default_action" {
  description = "What the listener does with a request no rule matches: an action as modules/listener-rules takes it (exactly one of forward, weighted_forward, redirect, fixed_response); checked there."
  type        = any
  default     = null

  validation {
    condition     = var.default_action != null
    error_message = "A listener needs a default_action${local.caller}: ${local.path}default_action is not set."
  }
}

variable "rules" {
  description = "Listener rules keyed by your own keys, as modules/listener-rules takes them (priority, conditions, action, tags); checked there."
  type        = any
  default     = {}
  nullable    = false
}

variable "target_group_arns" {
  description = "Target group ARNs keyed by the keys the actions forward to."
  type        = map(string)
  default     = {}
  nullable    = false
}

variable "target_group_protocols" {
  description = "Protocol version (HTTP1, HTTP2, GRPC) of the target groups, keyed like target_group_arns, when you know it: forwarding to an HTTP2 or GRPC group is then refused on an HTTP listener (see modules/listener-rules)."
  type        = map(string)
  default     = {}
  nullable    = false
}

variable "reserved_priorities" {
  description = "Rule priorities used on this listener by rules managed elsewhere (see modules/listener-rules)."
  type        = list(number)
  default     = []
  nullable    = false
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
  description = "How error messages name the inputs: path goes before every field (the root module passes listeners[\"<key>\"].), caller after the rule (ALB \"<name>\"); checked holds values the caller has checked and reported under its own names (tags), which are not checked a second time here. All are handed on to the rules. Leave it unset when you call this module yourself."
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
  description = "Tags for the listener and its rules, merged under each rule's own tags (at most 50 per resource): keys 1-128 and values up to 256 characters of letters, digits, spaces and _ . : / = + - @, no leading or trailing space, keys not starting with \"aws:\"."
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
