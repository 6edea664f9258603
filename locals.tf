locals {
  # Named in every error message the submodules raise: their diagnostics point into this module's source, so the
  # message has to say which ALB (and field) it is about.
  caller = "ALB \"${var.name}\""

  # ELBv2's tag alphabet (API Reference, Tag): Unicode letters, separators (spaces) and numbers, and _ . : / = + - @.
  tag_pattern = "^[\\p{L}\\p{Z}\\p{N}_.:/=+@-]*$"

  # What this module has checked itself and reported under its own names: the submodules skip these values (see
  # their error_context), so one mistake is reported once.
  checked = { vpc_id = var.vpc_id, tags = var.tags }

  # Read once here and handed down: the submodules check ARNs against them without reading them again.
  partition_and_region = { partition = data.aws_partition.current.partition, region = data.aws_region.current.id }

  tg_names = { for k, tg in var.target_groups : k => lookup(tg, "name", null) != null ? tg.name : "${var.name}-${k}" }

  # Listeners and rules move to a group only once the security-group rules for its ports are in place, and the
  # rules of a port no longer used are deleted only after they moved away: reading rules_ready orders them
  # (the value is the group's ARN either way).
  target_group_arns = { for k, m in module.target_group : k => module.security_groups.rules_ready == "" ? m.arn : m.arn }

  # Only well-formed ports reach the security groups: a bad port is reported once, by the module that owns it,
  # not a second time as a security-group input.
  listener_ports = [for l in values(var.listeners) : l.port if try(l.port >= 1 && l.port <= 65535 && floor(l.port) == l.port, false)]
  target_ports = distinct([for p in flatten([for m in values(module.target_group) : m.ports]) : p
  if try(p >= 1 && p <= 65535 && floor(p) == p, false)])

  # On-premises IP targets sit outside every SG: the ALB SG gets an egress rule per address instead.
  ip_targets = merge([
    for k, m in module.target_group : {
      for tk, t in m.external_ip_targets : "${k}/${tk}" => t if try(t.port >= 1 && t.port <= 65535, false)
    }
  ]...)
}
