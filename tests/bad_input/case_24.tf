# expect-field: target_groups["web"].health_check.path
# expect-rule: must start with "/"
module "case_24" {
  source = "../.."

  name          = "${var.prefix}-c24"
  vpc_id        = local.vpc_id
  subnet_ids    = local.subnet_ids
  target_groups = { web = { port = 80, health_check = { path = "health" } } }
  listeners     = { http = { port = 80, default_action = { forward = { target_group_key = "web" } } } }
}
