# expect-field: listeners["http"].default_action is not set
# expect-rule: A listener needs a default_action
module "case_83" {
  source = "../.."

  name          = "${var.prefix}-c83"
  vpc_id        = local.vpc_id
  subnet_ids    = local.subnet_ids
  target_groups = { web = { port = 80 } }
  listeners     = { http = { port = 80 } }
}
