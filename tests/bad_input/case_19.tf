# expect-field: target_groups["web"].health_check.interval
# expect-rule: 5-300 seconds
module "case_19" {
  source = "../.."

  name          = "${var.prefix}-c19"
  vpc_id        = local.vpc_id
  subnet_ids    = local.subnet_ids
  target_groups = { web = { port = 80, health_check = { interval = 3, timeout = 2 } } }
  listeners     = { http = { port = 80, default_action = { forward = { target_group_key = "web" } } } }
}
