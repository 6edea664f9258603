# expect-field: target_groups["web"].stickiness.cookie_duration
# expect-rule: stickiness.cookie_duration must be 1-604800 seconds
module "case_73" {
  source = "../.."

  name          = "${var.prefix}-c73"
  vpc_id        = local.vpc_id
  subnet_ids    = local.subnet_ids
  target_groups = { web = { port = 80, stickiness = { type = "lb_cookie", cookie_duration = 0 } } }
  listeners     = { http = { port = 80, default_action = { forward = { target_group_key = "web" } } } }
}
