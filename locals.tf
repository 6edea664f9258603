locals {
  tg_names = { for k, tg in var.target_groups : k => tg.name != null ? tg.name : "${var.name}-${k}" }

  # Ports the ALB must reach per target group: its port, per-target port overrides and a fixed health-check
  # port. Lambda targets are invoked by the service, not over the network: no ports.
  tg_ports = {
    for k, tg in var.target_groups : k => tg.target_type == "lambda" ? [] : distinct(concat(
      [tg.port],
      [for t in values(tg.targets) : t.port if t.port != null],
      tg.health_check.port == "traffic-port" ? [] : [tonumber(tg.health_check.port)],
    ))
  }
  target_ports = sort(distinct(flatten(values(local.tg_ports))))

  # On-premises IP targets sit outside every SG: the ALB SG gets an egress rule per address instead.
  ip_targets = merge([
    for k, tg in var.target_groups : {
      for tk, t in tg.targets : "${k}/${tk}" => {
        ip                = t.target_id
        port              = t.port != null ? t.port : tg.port
        health_check_port = tg.health_check.port == "traffic-port" ? null : tonumber(tg.health_check.port)
      } if tg.target_type == "ip" && t.availability_zone == "all"
    }
  ]...)

  listener_certificates = merge([
    for lk, l in var.listeners : {
      for ck, arn in l.additional_certificate_arns : "${lk}/${ck}" => { listener_key = lk, certificate_arn = arn }
    }
  ]...)

  target_group_arns = { for k, m in module.target_group : k => m.arn }

  # Checked by preconditions on aws_lb: they span two variables, which validation blocks cannot before 1.9.
  forward_keys = distinct(flatten([
    for l in values(var.listeners) : [
      for a in concat([l.default_action], [for r in values(l.rules) : r.action]) : concat(
        a.forward != null ? [a.forward.target_group_key] : [],
        a.weighted_forward != null ? keys(a.weighted_forward.target_groups) : [],
      )
    ]
  ]))
  unknown_forward_keys = [for k in local.forward_keys : k if !contains(keys(var.target_groups), k)]
  bad_tg_names = [for k, n in local.tg_names : "target_groups[\"${k}\"] name \"${n}\""
  if !(length(n) <= 32 && can(regex("^[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?$", n)))]

  # Same shape as the listener-rules module's routing table; a tuple indexed by a known number may hold
  # objects of different shapes, a conditional may not.
  default_actions = {
    for lk, l in var.listeners : lk => [
      { type = "forward", target_group_key = try(l.default_action.forward.target_group_key, null) },
      {
        type          = "weighted_forward"
        target_groups = try({ for tg, v in l.default_action.weighted_forward.target_groups : tg => v.weight }, null)
        stickiness    = try(l.default_action.weighted_forward.stickiness, null)
      },
      merge({ type = "redirect" }, l.default_action.redirect),
      merge({ type = "fixed_response" }, l.default_action.fixed_response),
      ][(l.default_action.forward != null ? 0 : l.default_action.weighted_forward != null ? 1
    : l.default_action.redirect != null ? 2 : 3)]
  }
}
