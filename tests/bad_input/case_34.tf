# expect-field: listeners["http"].protocol
# expect-rule: must be HTTP or HTTPS
module "case_34" {
  source = "../.."

  name          = "${var.prefix}-c34"
  vpc_id        = local.vpc_id
  subnet_ids    = local.subnet_ids
  target_groups = { web = { port = 80 } }
  listeners     = { http = { port = 80, protocol = "TCP", default_action = { forward = { target_group_key = "web" } } } }
}
