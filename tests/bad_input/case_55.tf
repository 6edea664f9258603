# expect-field: listeners["http"].port|target_groups["web"].slow_start
# expect-rule: integer 1-65535|0 or 30-900 seconds
module "case_55" {
  source = "../.."

  name          = "${var.prefix}-c55"
  vpc_id        = local.vpc_id
  subnet_ids    = local.subnet_ids
  target_groups = { web = { port = 80, slow_start = 5 } }
  listeners     = { http = { port = 99999, default_action = { forward = { target_group_key = "web" } } } }
}
