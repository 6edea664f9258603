# expect-field: listeners["http"].default_action -> "nope"
# expect-rule: Actions forward to unknown target group keys
module "case_57" {
  source = "../.."

  name          = "${var.prefix}-c57"
  vpc_id        = local.vpc_id
  subnet_ids    = local.subnet_ids
  target_groups = { web = { port = 80 } }
  listeners     = { http = { port = 80, default_action = { forward = { target_group_key = "nope" } } } }
}
