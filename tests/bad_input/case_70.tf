# expect-field: target_groups["web"].health_check.protocol
# expect-rule: health_check.protocol must be HTTP or HTTPS
module "case_70" {
  source = "../.."

  name          = "${var.prefix}-c70"
  vpc_id        = local.vpc_id
  subnet_ids    = local.subnet_ids
  target_groups = { web = { port = 80, health_check = { protocol = "TCP" } } }
  listeners     = { http = { port = 80, default_action = { forward = { target_group_key = "web" } } } }
}
