# expect-field: target_groups["web"].stickiness
# expect-rule: cookie_name is required with type app_cookie
module "case_25" {
  source = "../.."

  name          = "${var.prefix}-c25"
  vpc_id        = local.vpc_id
  subnet_ids    = local.subnet_ids
  target_groups = { web = { port = 80, stickiness = { type = "app_cookie" } } }
  listeners     = { http = { port = 80, default_action = { forward = { target_group_key = "web" } } } }
}
