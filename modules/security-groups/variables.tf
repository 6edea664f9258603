variable "name" {
  description = "Name prefix: the SGs are named \"<name>-alb\" and \"<name>-targets\"."
  type        = string
  nullable    = false

  validation {
    condition     = can(regex("^[A-Za-z0-9][A-Za-z0-9-]{0,200}$", var.name))
    error_message = "Security group name prefix must start with a letter or digit and hold only [A-Za-z0-9-]${local.caller}: name = \"${var.name}\"."
  }
  validation {
    condition     = !var.create || !startswith(lower(var.name), "sg-")
    error_message = "Security group names cannot start with \"sg-\", so neither can the name they are built from${local.caller}: name = \"${var.name}\"."
  }
}

variable "vpc_id" {
  description = "VPC for the created security groups (required when create = true)."
  type        = string
  default     = null

  validation {
    condition     = !var.create || !anytrue([var.vpc_id == null])
    error_message = "vpc_id is required when the security groups are created${local.caller}: ${local.path}vpc_id is not set."
  }
  validation {
    condition = (var.vpc_id == null || var.vpc_id == var.error_context.checked.vpc_id
    || can(regex("^vpc-([0-9a-f]{8}|[0-9a-f]{17})$", var.vpc_id)))
    error_message = "vpc_id must be a VPC ID, vpc- and 8 or 17 hex digits (not the VPC's name, CIDR or ARN)${local.caller}: ${local.path}vpc_id = \"${coalesce(var.vpc_id, "null")}\"."
  }
}

variable "create" {
  description = "Create the ALB and target SGs. false: use alb_security_group_id and target_security_group_id."
  type        = bool
  default     = true
  nullable    = false
}

variable "create_rules" {
  description = "Manage the chaining rules (also on existing SGs). false: the caller manages every rule."
  type        = bool
  default     = true
  nullable    = false
}

variable "alb_security_group_id" {
  description = "Existing SG for the ALB (create = false)."
  type        = string
  default     = null

  # Decided from what is known at plan: an ID from a resource created in the same run is unknown, a forgotten one
  # is a known null.
  validation {
    condition     = var.create || !anytrue([var.alb_security_group_id == null, var.target_security_group_id == null])
    error_message = "alb_security_group_id and target_security_group_id are both required when create = false${local.caller}: set ${local.path}alb_security_group_id and ${local.path}target_security_group_id."
  }
  validation {
    condition = alltrue([for id in [var.alb_security_group_id, var.target_security_group_id] :
    id == null ? true : can(regex("^sg-([0-9a-f]{8}|[0-9a-f]{17})$", id))])
    error_message = format("Existing security groups are given by ID, sg- and 8 or 17 hex digits (not by name)%s: %s.", local.caller, join(", ", [for f, id in { alb_security_group_id = var.alb_security_group_id, target_security_group_id = var.target_security_group_id } :
    "${local.path}${f} = \"${id}\"" if id == null ? false : !can(regex("^sg-([0-9a-f]{8}|[0-9a-f]{17})$", id))]))
  }
}

variable "target_security_group_id" {
  description = "Existing SG for the targets (create = false)."
  type        = string
  default     = null
}

variable "listener_ports" {
  description = "Ports the ALB listens on; ingress is opened on each from the CIDRs and prefix lists."
  type        = set(number)
  default     = []
  nullable    = false

  validation {
    condition     = alltrue([for p in var.listener_ports : p >= 1 && p <= 65535])
    error_message = "listener_ports must be 1-65535${local.caller}: ${jsonencode(var.listener_ports)}."
  }
}

variable "target_ports" {
  description = "Ports the targets listen on (traffic and health-check ports); the ALB SG may reach the target SG only on these."
  type        = set(number)
  default     = []
  nullable    = false

  validation {
    condition     = alltrue([for p in var.target_ports : p >= 1 && p <= 65535])
    error_message = "target_ports must be 1-65535${local.caller}: ${jsonencode(var.target_ports)}."
  }
}

variable "ip_targets" {
  description = <<-EOT
    IP targets outside the target SG (on-premises, availability_zone = "all"), keyed "<tg_key>/<target_key>".
    ip may be unknown at plan; the keys may not.
  EOT
  type = map(object({
    ip                = string
    port              = number
    health_check_port = optional(number)
  }))
  default  = {}
  nullable = false

  validation {
    condition = alltrue([for t in values(var.ip_targets) :
    t.port >= 1 && t.port <= 65535 && (t.health_check_port == null ? true : (t.health_check_port >= 1 && t.health_check_port <= 65535))])
    error_message = "ip_targets[*].port and health_check_port must be 1-65535${local.caller}: ${join(", ", [for k, t in var.ip_targets : k if !(t.port >= 1 && t.port <= 65535 && (t.health_check_port == null ? true : (t.health_check_port >= 1 && t.health_check_port <= 65535)))])}."
  }
}

variable "ingress_cidr_ipv4" {
  description = "IPv4 CIDRs allowed to the listener ports. Empty by default: open what you mean to open."
  type        = list(string)
  default     = []
  nullable    = false

  validation {
    condition     = alltrue([for c in var.ingress_cidr_ipv4 : can(cidrhost(c, 0)) && !strcontains(c, ":")])
    error_message = format("ingress_cidr_ipv4 must hold IPv4 CIDRs like 10.0.0.0/8%s: %s.", local.caller, join(", ", [for c in var.ingress_cidr_ipv4 : "${local.path}ingress_cidr_ipv4 \"${c}\"" if !(can(cidrhost(c, 0)) && !strcontains(c, ":"))]))
  }
}

variable "ingress_cidr_ipv6" {
  description = "IPv6 CIDRs allowed to the listener ports."
  type        = list(string)
  default     = []
  nullable    = false

  validation {
    condition     = alltrue([for c in var.ingress_cidr_ipv6 : can(cidrhost(c, 0)) && strcontains(c, ":")])
    error_message = format("ingress_cidr_ipv6 must hold IPv6 CIDRs like 2001:db8::/32%s: %s.", local.caller, join(", ", [for c in var.ingress_cidr_ipv6 : "${local.path}ingress_cidr_ipv6 \"${c}\"" if !(can(cidrhost(c, 0)) && strcontains(c, ":"))]))
  }
}

variable "ingress_prefix_list_ids" {
  description = "Managed prefix lists (IDs, pl-...) allowed to the listener ports. Rules are keyed by list position (the IDs may be unknown at plan): prefer ingress_prefix_lists."
  type        = list(string)
  default     = []
  nullable    = false

  validation {
    condition     = alltrue([for id in var.ingress_prefix_list_ids : can(regex("^pl-([0-9a-f]{8}|[0-9a-f]{17})$", id))])
    error_message = format("ingress_prefix_list_ids must hold prefix list IDs, pl- and 8 or 17 hex digits (not names)%s: %s.", local.caller, join(", ", [for i, id in var.ingress_prefix_list_ids : "${local.path}ingress_prefix_list_ids[${i}] = \"${id}\"" if !can(regex("^pl-([0-9a-f]{8}|[0-9a-f]{17})$", id))]))
  }
}

variable "ingress_prefix_lists" {
  description = "Managed prefix lists (IDs, pl-...) allowed to the listener ports, keyed by your own names (stable keys)."
  type        = map(string)
  default     = {}
  nullable    = false

  validation {
    condition     = alltrue([for id in values(var.ingress_prefix_lists) : can(regex("^pl-([0-9a-f]{8}|[0-9a-f]{17})$", id))])
    error_message = format("ingress_prefix_lists must map your names to prefix list IDs, pl- and 8 or 17 hex digits (not names)%s: %s.", local.caller, join(", ", [for k, id in var.ingress_prefix_lists : "${local.path}ingress_prefix_lists[\"${k}\"] = \"${id}\"" if !can(regex("^pl-([0-9a-f]{8}|[0-9a-f]{17})$", id))]))
  }
}

variable "error_context" {
  description = "How error messages name the inputs: path goes before the security-group fields (the root module passes security_groups.), caller after the rule (ALB \"<name>\"); checked holds values the caller has checked and reported under its own names (vpc_id, tags), which are not checked a second time here. Leave it unset when you call this module yourself."
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
  description = "Tags for the SGs and rules (at most 50 with the Name tag the module adds): keys 1-128 and values up to 256 characters of letters, digits, spaces and _ . : / = + - @, no leading or trailing space, keys not starting with \"aws:\"."
  type        = map(string)
  default     = {}
  nullable    = false

  # ELBv2's rules, on the security groups too: the same tags go on the load balancer.
  validation {
    condition = alltrue([for k, v in var.tags : (length(k) >= 1 && length(k) <= 128
      && length(v) <= 256 && !startswith(lower(k), "aws:") && can(regex(local.tag_pattern, k)) && can(regex(local.tag_pattern, v))
    && trimspace(k) == k && trimspace(v) == v) if lookup(var.error_context.checked.tags, k, null) != v])
    error_message = format("Tags must be ELB tags: keys 1-128 and values up to 256 characters of letters, digits, spaces and _ . : / = + - @ (no leading or trailing space), keys not starting with \"aws:\"%s: %s.", local.caller, join(", ", [for k, v in var.tags : "${local.path}tags[\"${k}\"] = \"${v}\"" if lookup(var.error_context.checked.tags, k, null) == v ? false : !(length(k) >= 1 && length(k) <= 128
      && length(v) <= 256 && !startswith(lower(k), "aws:") && can(regex(local.tag_pattern, k)) && can(regex(local.tag_pattern, v))
    && trimspace(k) == k && trimspace(v) == v)]))
  }
  validation {
    condition     = length(merge(var.tags, { Name = var.name })) <= 50 || alltrue([for k, v in var.tags : lookup(var.error_context.checked.tags, k, null) == v])
    error_message = "A resource takes at most 50 tags, the Name tag the module adds included${local.caller}: ${local.path}tags has ${length(var.tags)}."
  }
}
