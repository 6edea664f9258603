# expect-field: target_groups["web"].slow_start
# expect-rule: 0 or 30-900 seconds
module "case_27" {
  source = "../.."

  name          = "${var.prefix}-c27"
  vpc_id        = local.vpc_id
  subnet_ids    = local.subnet_ids
  target_groups = { web = { port = 80, slow_start = 10 } }
  listeners     = { http = { port = 80, default_action = { forward = { target_group_key = "web" } } } }
}
