# expect-field: target_groups["web"].health_check.matcher
# expect-rule: codes and ranges
module "case_22" {
  source = "../.."

  name          = "${var.prefix}-c22"
  vpc_id        = local.vpc_id
  subnet_ids    = local.subnet_ids
  target_groups = { web = { port = 80, health_check = { matcher = "ok" } } }
  listeners     = { http = { port = 80, default_action = { forward = { target_group_key = "web" } } } }
}
