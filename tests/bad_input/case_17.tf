# expect-field: target_groups["web"].protocol
# expect-rule: Target group protocol must be HTTP or HTTPS
module "case_17" {
  source = "../.."

  name          = "${var.prefix}-c17"
  vpc_id        = local.vpc_id
  subnet_ids    = local.subnet_ids
  target_groups = { web = { port = 80, protocol = "TCP" } }
  listeners     = { http = { port = 80, default_action = { forward = { target_group_key = "web" } } } }
}
