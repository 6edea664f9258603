# expect-field: target_groups["fn"].stickiness
# expect-rule: Stickiness is for instance and ip target groups only
module "case_75" {
  source = "../.."

  name          = "${var.prefix}-c75"
  vpc_id        = local.vpc_id
  subnet_ids    = local.subnet_ids
  target_groups = { fn = { target_type = "lambda", stickiness = { type = "lb_cookie" } } }
  listeners     = { http = { port = 80, default_action = { forward = { target_group_key = "fn" } } } }
}
