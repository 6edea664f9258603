# expect-field: listeners["http"].default_action
# expect-rule: exactly one of forward, weighted_forward, redirect, fixed_response
module "case_46" {
  source = "../.."

  name          = "${var.prefix}-c46"
  vpc_id        = local.vpc_id
  subnet_ids    = local.subnet_ids
  target_groups = { web = { port = 80 } }
  listeners     = { http = { port = 80, default_action = {} } }
}
