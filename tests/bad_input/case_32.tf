# expect-field: listeners["http"].port
# expect-rule: integer 1-65535
module "case_32" {
  source = "../.."

  name          = "${var.prefix}-c32"
  vpc_id        = local.vpc_id
  subnet_ids    = local.subnet_ids
  target_groups = { web = { port = 80 } }
  listeners     = { http = { port = 0, default_action = { forward = { target_group_key = "web" } } } }
}
