# expect-field: security_groups.alb_security_group_id
# expect-rule: both required when create = false
module "case_12" {
  source = "../.."

  name            = "${var.prefix}-c12"
  vpc_id          = local.vpc_id
  subnet_ids      = local.subnet_ids
  target_groups   = { web = { port = 80 } }
  listeners       = { http = { port = 80, default_action = { forward = { target_group_key = "web" } } } }
  security_groups = { create = false }
}
