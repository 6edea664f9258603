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
  description = "VPC of the ALB, its security groups and target groups: its ID (vpc-...)."
  type        = string
  nullable    = false

  validation {
    condition     = can(regex("^vpc-([0-9a-f]{8}|[0-9a-f]{17})$", var.vpc_id))
    error_message = "vpc_id must be a VPC ID, vpc- and 8 or 17 hex digits (not the VPC's name, CIDR or ARN); got \"${var.vpc_id}\"."
  }
}

variable "vpc_cidr_blocks" {
  description = <<-EOT
    The VPC's CIDR blocks, optional (e.g. [aws_vpc.this.cidr_block]). With them, ip targets are checked at plan
    against the VPC: an address outside it needs availability_zone = "all", an address inside it must not have it.
  EOT
  type        = list(string)
  default     = []
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
  validation {
    condition     = alltrue([for s in var.subnet_ids : can(regex("^subnet-([0-9a-f]{8}|[0-9a-f]{17})$", s))])
    error_message = format("subnet_ids must hold subnet IDs, subnet- and 8 or 17 hex digits (not names, CIDRs or ARNs): %s.", join(", ", [for i, s in var.subnet_ids : "subnet_ids[${i}] = \"${s}\"" if !can(regex("^subnet-([0-9a-f]{8}|[0-9a-f]{17})$", s))]))
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
  description = "Refuse to delete the ALB through the API. On by default: set false, apply, then destroy."
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
  description = "Access logs to S3: bucket is the bucket's name (same region, SSE-S3, a policy that lets ELB write), prefix must not contain AWSLogs. null: no access logs."
  type = object({
    bucket  = string
    prefix  = optional(string)
    enabled = optional(bool, true)
  })
  default = null

  validation {
    condition = var.access_logs == null ? true : alltrue([
      can(regex("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", var.access_logs.bucket)),
      !strcontains(var.access_logs.bucket, ".."),
      !can(regex("^[0-9]+\\.[0-9]+\\.[0-9]+\\.[0-9]+$", var.access_logs.bucket)),
      !anytrue([for p in ["xn--", "sthree-", "amzn-s3-demo-"] : startswith(var.access_logs.bucket, p)]),
      !anytrue([for s in ["-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3"] : endswith(var.access_logs.bucket, s)]),
    ])
    error_message = "access_logs.bucket must be an S3 bucket name (3-63 characters of a-z 0-9 . -, starting and ending with a letter or digit, no \"..\", not an IP address, none of the reserved prefixes xn-- sthree- amzn-s3-demo- and suffixes -s3alias --ol-s3 .mrap --x-s3 --table-s3; the name, not an ARN or s3:// URL); got \"${try(var.access_logs.bucket, "")}\"."
  }
  validation {
    condition     = var.access_logs == null ? true : !can(regex("\\.amazonaws\\.com(\\.cn)?$", var.access_logs.bucket))
    error_message = "access_logs.bucket must be the bucket's name, not its domain name (drop .s3.<region>.amazonaws.com); got \"${try(var.access_logs.bucket, "")}\"."
  }
  validation {
    condition     = try(var.access_logs.prefix, null) == null ? true : !strcontains(var.access_logs.prefix, "AWSLogs")
    error_message = "access_logs.prefix must not contain \"AWSLogs\" (ELB adds AWSLogs/<account>/... after it); got \"${try(var.access_logs.prefix, null) == null ? "" : var.access_logs.prefix}\"."
  }
  validation {
    # ELB writes <bucket>/<prefix>/AWSLogs/...: a slash at either end makes an empty path segment, and the bucket
    # policy written for <prefix>/AWSLogs/... no longer matches.
    condition = try(var.access_logs.prefix, null) == null ? true : alltrue([
      !startswith(var.access_logs.prefix, "/"), !endswith(var.access_logs.prefix, "/"), length(var.access_logs.prefix) <= 1024,
    ])
    error_message = "access_logs.prefix must not start or end with \"/\" (ELB adds the slashes around it) and is at most 1024 characters; got \"${try(var.access_logs.prefix, null) == null ? "" : var.access_logs.prefix}\"."
  }
}

variable "security_groups" {
  description = <<-EOT
    SG chaining. create (default true): make the ALB SG and the target SG (false: pass both IDs). The ALB SG admits
    the listener ports from ingress_cidr_ipv4/ipv6 and the prefix lists (nothing by default: list what you mean to
    open, e.g. ["0.0.0.0/0"] for a public site), and may only reach the target SG (and on-premises IP targets) on
    each target group's traffic and health-check ports; the target SG admits only the ALB SG on those ports.
    ingress_prefix_lists is the stable-key form of ingress_prefix_list_ids. create_rules = false leaves all rules
    to you. Checked by modules/security-groups.
  EOT
  type = object({
    create                            = optional(bool)
    create_rules                      = optional(bool)
    alb_security_group_id             = optional(string)
    target_security_group_id          = optional(string)
    ingress_cidr_ipv4                 = optional(list(string))
    ingress_cidr_ipv6                 = optional(list(string))
    ingress_prefix_list_ids           = optional(list(string))
    ingress_prefix_lists              = optional(map(string))
    additional_alb_security_group_ids = optional(list(string), [])
  })
  default  = {}
  nullable = false

  validation {
    condition = alltrue([for id in coalesce(var.security_groups.additional_alb_security_group_ids, []) :
    can(regex("^sg-([0-9a-f]{8}|[0-9a-f]{17})$", id))])
    error_message = format("security_groups.additional_alb_security_group_ids must hold security group IDs, sg- and 8 or 17 hex digits (not group names): %s.", join(", ", [for i, id in coalesce(var.security_groups.additional_alb_security_group_ids, []) :
    "security_groups.additional_alb_security_group_ids[${i}] = \"${id}\"" if !can(regex("^sg-([0-9a-f]{8}|[0-9a-f]{17})$", id))]))
  }
}

variable "target_groups" {
  description = <<-EOT
    Target groups keyed by your own keys; each is passed to modules/target-group, which documents and checks every
    field: name (default "<name>-<key>", followed by 4 hex digits that change when the group must be replaced, so
    the replacement is created before the old group goes), exact_name (no digits), target_type (instance, ip,
    lambda), port (required for instance and ip),
    protocol, protocol_version, health_check, stickiness, load_balancing_algorithm,
    load_balancing_anomaly_mitigation, slow_start, deregistration_delay, targets (keyed by your own keys:
    target_id, port, availability_zone; "all" for an IP outside the VPC, which also gets an ALB SG egress rule),
    tags.
  EOT
  type        = any
  default     = {}
  nullable    = false

  validation {
    condition     = try(alltrue([for tg in values(var.target_groups) : can(keys(tg))]), false)
    error_message = "target_groups must be a map of objects keyed by your own keys, e.g. { web = { port = 80 } }."
  }
  validation {
    condition     = length(distinct([for k, tg in var.target_groups : try(tg.name, null) != null ? tg.name : "${var.name}-${k}"])) == length(var.target_groups)
    error_message = format("Target group names must be unique (the default is \"<name>-<key>\"): %s.", join(", ", [for k, tg in var.target_groups : "target_groups[\"${k}\"] -> \"${try(tg.name, null) != null ? tg.name : "${var.name}-${k}"}\""]))
  }
}

variable "listeners" {
  description = <<-EOT
    Listeners keyed by your own keys; each is passed to modules/listener (port, protocol, certificate_arn,
    additional_certificate_arns keyed by name, ssl_policy, additional_ssl_policies, reserved_priorities, tags) and its
    default_action and rules on to modules/listener-rules, which document and check every field. An action sets exactly one of forward
    {target_group_key}, weighted_forward {target_groups = {key = {weight}}, stickiness}, redirect {protocol, port,
    host, path, query, status_code}, fixed_response {status_code, content_type, message_body}. Rules: priority
    1-50000 unique per listener, 1-5 condition values; their resources are keyed "<listener_key>/<rule_key>".
  EOT
  type        = any
  default     = {}
  nullable    = false

  validation {
    condition     = try(alltrue([for l in values(var.listeners) : can(keys(l))]), false)
    error_message = "listeners must be a map of objects keyed by your own keys, e.g. { http = { port = 80, default_action = {...} } }."
  }
  validation {
    condition     = length(distinct([for l in var.listeners : try(l.port, null)])) == length(var.listeners)
    error_message = format("listeners[*].port must be unique: %s.", join(", ", [for k, l in var.listeners : "listeners[\"${k}\"].port = ${try(l.port, "null")}"]))
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

  validation {
    condition     = !var.associate_web_acl || !anytrue([var.web_acl_arn == null])
    error_message = "associate_web_acl = true needs web_acl_arn (ALB \"${var.name}\")."
  }
  validation {
    condition     = var.web_acl_arn == null ? true : can(regex("^arn:aws[a-z-]*:wafv2:[a-z0-9-]+:[0-9]{12}:regional/webacl/[^/]+/[^/]+$", var.web_acl_arn))
    error_message = "web_acl_arn must be a REGIONAL WAFv2 web ACL ARN (arn:aws:wafv2:<region>:<account>:regional/webacl/<name>/<id>; a CLOUDFRONT (global) ACL cannot be associated with an ALB); got \"${coalesce(var.web_acl_arn, "null")}\"."
  }
  validation {
    # Checked once the shape is right, against the provider's partition and region (read at plan).
    condition = var.web_acl_arn == null ? true : !can(regex("^arn:[^:]+:wafv2:[^:]*:", var.web_acl_arn)) ? true : (
    split(":", var.web_acl_arn)[1] == data.aws_partition.current.partition && split(":", var.web_acl_arn)[3] == data.aws_region.current.id)
    error_message = "web_acl_arn must be in the ALB's partition and region (${data.aws_partition.current.partition}, ${data.aws_region.current.id}: a regional web ACL protects resources of its own region only); got \"${coalesce(var.web_acl_arn, "null")}\"."
  }
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
  validation {
    condition     = alltrue([for r in values(var.route53_records) : can(regex("^(/hostedzone/)?[A-Z0-9]{1,32}$", r.zone_id))])
    error_message = format("route53_records[*].zone_id must be a hosted zone ID (upper-case letters and digits, at most 32, e.g. Z0123456789ABCDEFGHIJ), not the zone's domain name: %s.", join(", ", [for k, r in var.route53_records : "route53_records[\"${k}\"].zone_id = \"${r.zone_id}\"" if !can(regex("^(/hostedzone/)?[A-Z0-9]{1,32}$", r.zone_id))]))
  }
  validation {
    condition = alltrue([for r in values(var.route53_records) : length(r.name) <= 255 && can(regex("^[!-~]+$", r.name))
    && !strcontains(r.name, "://") && alltrue([for l in split(".", trimsuffix(r.name, ".")) : length(l) >= 1 && length(l) <= 63])])
    error_message = format("route53_records[*].name must be a DNS name, not a URL: printable ASCII without spaces, at most 255 characters, labels of 1-63 between the dots: %s.", join(", ", [for k, r in var.route53_records : "route53_records[\"${k}\"].name = \"${r.name}\"" if !(length(r.name) <= 255 && can(regex("^[!-~]+$", r.name))
    && !strcontains(r.name, "://") && alltrue([for l in split(".", trimsuffix(r.name, ".")) : length(l) >= 1 && length(l) <= 63]))]))
  }
  validation {
    condition     = var.ip_address_type == "dualstack" || alltrue([for r in values(var.route53_records) : r.type != "AAAA"])
    error_message = format("An AAAA alias needs ip_address_type = \"dualstack\" (an ipv4 ALB has no IPv6 address): %s.", join(", ", [for k, r in var.route53_records : "route53_records[\"${k}\"].type" if r.type == "AAAA"]))
  }
}

variable "tags" {
  description = "Tags for every resource that takes tags (at most 50 with the Name tag the module adds): keys 1-128 and values up to 256 characters of letters, digits, spaces and _ . : / = + - @, no leading or trailing space, keys not starting with \"aws:\"."
  type        = map(string)
  default     = {}
  nullable    = false

  validation {
    condition = alltrue([for k, v in var.tags : (length(k) >= 1 && length(k) <= 128 && length(v) <= 256
    && can(regex(local.tag_pattern, k)) && can(regex(local.tag_pattern, v)) && trimspace(k) == k && trimspace(v) == v && !startswith(lower(k), "aws:"))])
    error_message = format("Tags must be ELB tags: keys 1-128 and values up to 256 characters of letters, digits, spaces and _ . : / = + - @ (no leading or trailing space), keys not starting with \"aws:\": %s.", join(", ", [for k, v in var.tags : "tags[\"${k}\"] = \"${v}\"" if !(length(k) >= 1 && length(k) <= 128 && length(v) <= 256
    && can(regex(local.tag_pattern, k)) && can(regex(local.tag_pattern, v)) && trimspace(k) == k && trimspace(v) == v && !startswith(lower(k), "aws:"))]))
  }
  validation {
    condition     = length(merge(var.tags, { Name = var.name })) <= 50
    error_message = "A resource takes at most 50 tags, the Name tag the module adds included: tags has ${length(var.tags)}."
  }
}
