# expect-field: target_groups["web"].stickiness.type
# expect-rule: stickiness.type must be lb_cookie or app_cookie
module "case_72" {
  source = "../.."

  name          = "${var.prefix}-c72"
  vpc_id        = local.vpc_id
  subnet_ids    = local.subnet_ids
  target_groups = { web = { port = 80, stickiness = { type = "source_ip" } } }
  listeners     = { http = { port = 80, default_action = { forward = { target_group_key = "web" } } } }
}
