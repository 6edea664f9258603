variable "load_balancer_arn" {
  description = "ARN of the Application Load Balancer the listener belongs to."
  type        = string
  nullable    = false

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:elasticloadbalancing:[a-z0-9-]+:[0-9]{12}:loadbalancer/app/[A-Za-z0-9-]{1,32}/[0-9a-f]+$", var.load_balancer_arn))
    error_message = "load_balancer_arn must be an Application Load Balancer ARN (arn:aws:elasticloadbalancing:<region>:<account>:loadbalancer/app/<name>/<id>)${local.caller}: got \"${var.load_balancer_arn}\"."
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
}

variable "additional_certificate_arns" {
  description = "Extra certificates served by SNI, keyed by your own names (HTTPS only)."
  type        = map(string)
  default     = {}
  nullable    = false
}

variable "ssl_policy" {
  description = "TLS security policy of an HTTPS listener (ignored for HTTP)."
  type        = string
  default     = "ELBSecurityPolicy-TLS13-1-2-2021-06"
  nullable    = false

  # AWS adds policies over time; the check follows the documented naming scheme
  # (ELBSecurityPolicy-[TLS13-|TLS-|FS-...]<year>-<month>) rather than a list that would age.
  validation {
    condition     = can(regex("^ELBSecurityPolicy-((TLS13|TLS|FS)(-[A-Za-z0-9]+)*-)?20[0-9]{2}-(0[1-9]|1[0-2])$", var.ssl_policy))
    error_message = "ssl_policy must name an ELB security policy, ELBSecurityPolicy-[TLS13-|TLS-|FS-<variant>-]<yyyy>-<mm>, e.g. ELBSecurityPolicy-TLS13-1-2-2021-06${local.caller}: ${local.path}ssl_policy = \"${var.ssl_policy}\"."
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

variable "reserved_priorities" {
  description = "Rule priorities used on this listener by rules managed elsewhere (see modules/listener-rules)."
  type        = list(number)
  default     = []
  nullable    = false
}

variable "error_context" {
  description = "How error messages name the inputs: path goes before every field (the root module passes listeners[\"<key>\"].), caller after the rule (ALB \"<name>\"); both are handed on to the rules. Leave it unset when you call this module yourself."
  type = object({
    path   = optional(string, "")
    caller = optional(string, "")
  })
  default  = {}
  nullable = false
}

variable "tags" {
  description = "Tags for the listener and its rules (merged under each rule's own tags)."
  type        = map(string)
  default     = {}
  nullable    = false
}
