locals {
  path   = var.error_context.path
  caller = var.error_context.caller == "" ? "" : " (${var.error_context.caller})"

  alb_sg_id    = var.create ? aws_security_group.alb[0].id : var.alb_security_group_id
  target_sg_id = var.create ? aws_security_group.targets[0].id : var.target_security_group_id

  # Keys are "<port>/<source>": all known at plan, and adding a CIDR never re-keys another rule.
  ingress_sources = merge(
    { for c in var.ingress_cidr_ipv4 : c => { cidr_ipv4 = c, cidr_ipv6 = null, prefix_list_id = null } },
    { for c in var.ingress_cidr_ipv6 : c => { cidr_ipv4 = null, cidr_ipv6 = c, prefix_list_id = null } },
    { for i, id in var.ingress_prefix_list_ids : "prefix-list#${i}" => { cidr_ipv4 = null, cidr_ipv6 = null, prefix_list_id = id } },
    { for k, id in var.ingress_prefix_lists : "prefix-list:${k}" => { cidr_ipv4 = null, cidr_ipv6 = null, prefix_list_id = id } },
  )
  alb_ingress = var.create_rules ? merge([
    for p in var.listener_ports : { for s, src in local.ingress_sources : "${p}/${s}" => merge(src, { port = p }) }
  ]...) : {}

  target_ports = var.create_rules ? { for p in var.target_ports : tostring(p) => p } : {}

  # One rule per IP target and port (its traffic port, and the health-check port when it differs), keyed by the
  # port too: a port change adds a rule and removes the old one instead of moving a rule the ALB still uses.
  ip_target_egress = var.create_rules ? merge([
    for k, t in var.ip_targets : {
      for p in distinct(compact([t.port, t.health_check_port])) : "${k}/${p}" => { ip = t.ip, port = tonumber(p) }
    }
  ]...) : {}
}

resource "aws_security_group" "alb" {
  #checkov:skip=CKV2_AWS_5:Attached to the aws_lb by the root module (security_groups = [module.security_groups.alb_security_group_id]); checkov does not follow module outputs.
  count = var.create ? 1 : 0

  name        = "${var.name}-alb"
  description = "ALB ${var.name}: listeners from the allowed sources, egress only to the target SG"
  vpc_id      = var.vpc_id
  tags        = merge(var.tags, { Name = "${var.name}-alb" })
}

resource "aws_security_group" "targets" {
  #checkov:skip=CKV2_AWS_5:Attached by the caller to its targets (output target_security_group_id / security_group_ids.targets); the module does not own the targets.
  count = var.create ? 1 : 0

  name        = "${var.name}-targets"
  description = "Targets of ALB ${var.name}: ingress only from the ALB SG"
  vpc_id      = var.vpc_id
  tags        = merge(var.tags, { Name = "${var.name}-targets" })
}

resource "aws_vpc_security_group_ingress_rule" "alb" {
  for_each = local.alb_ingress

  security_group_id = local.alb_sg_id
  # moto drops the description of prefix-list rules, as it does for SG-referencing ones: a perpetual diff.
  description    = each.value.prefix_list_id == null ? "Listener port ${each.value.port}" : null
  ip_protocol    = "tcp"
  from_port      = each.value.port
  to_port        = each.value.port
  cidr_ipv4      = each.value.cidr_ipv4
  cidr_ipv6      = each.value.cidr_ipv6
  prefix_list_id = each.value.prefix_list_id
  tags           = var.tags

  lifecycle {
    create_before_destroy = true
  }
}

resource "aws_vpc_security_group_egress_rule" "alb_to_targets" {
  #checkov:skip=CKV_AWS_23:No description on SG-referencing rules: moto drops it and every plan would show a diff; the SG description says what the chain does.
  for_each = local.target_ports

  security_group_id            = local.alb_sg_id
  referenced_security_group_id = local.target_sg_id
  ip_protocol                  = "tcp"
  from_port                    = each.value
  to_port                      = each.value
  tags                         = var.tags

  lifecycle {
    create_before_destroy = true
  }
}

resource "aws_vpc_security_group_ingress_rule" "targets_from_alb" {
  #checkov:skip=CKV_AWS_23:No description on SG-referencing rules: moto drops it and every plan would show a diff; the SG description says what the chain does.
  for_each = local.target_ports

  security_group_id            = local.target_sg_id
  referenced_security_group_id = local.alb_sg_id
  ip_protocol                  = "tcp"
  from_port                    = each.value
  to_port                      = each.value
  tags                         = var.tags

  lifecycle {
    create_before_destroy = true
  }
}

resource "aws_vpc_security_group_egress_rule" "alb_to_ip_targets" {
  for_each = local.ip_target_egress

  security_group_id = local.alb_sg_id
  description       = "IP target ${each.key}"
  ip_protocol       = "tcp"
  from_port         = each.value.port
  to_port           = each.value.port
  cidr_ipv4         = strcontains(each.value.ip, ":") ? null : "${each.value.ip}/32"
  cidr_ipv6         = strcontains(each.value.ip, ":") ? "${each.value.ip}/128" : null
  tags              = var.tags

  lifecycle {
    create_before_destroy = true
  }
}

# Rules are added and removed by key, never moved in place, and Terraform runs one apply's creates and deletes in
# parallel. This record of the keys changes whenever the set does and waits for the new rules; with
# create_before_destroy on the rules, their deletes wait for it and for whatever read rules_ready (they depended
# on them): a rule that takes over from another (a new CIDR, a new target port) is in place before the old one
# goes, and a port's rules go only after the listeners moved off it. No connection the change keeps allowing is
# refused in between.
resource "terraform_data" "rule_keys" {
  input = {
    alb_ingress       = sort(keys(aws_vpc_security_group_ingress_rule.alb))
    alb_to_targets    = sort(keys(aws_vpc_security_group_egress_rule.alb_to_targets))
    targets_from_alb  = sort(keys(aws_vpc_security_group_ingress_rule.targets_from_alb))
    alb_to_ip_targets = sort(keys(aws_vpc_security_group_egress_rule.alb_to_ip_targets))
  }
}
