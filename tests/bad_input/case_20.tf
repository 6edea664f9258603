# expect-field: target_groups["web"].health_check.timeout
# expect-rule: less than health_check.interval
module "case_20" {
  source = "../.."

  name          = "${var.prefix}-c20"
  vpc_id        = local.vpc_id
  subnet_ids    = local.subnet_ids
  target_groups = { web = { port = 80, health_check = { interval = 10, timeout = 10 } } }
  listeners     = { http = { port = 80, default_action = { forward = { target_group_key = "web" } } } }
}
