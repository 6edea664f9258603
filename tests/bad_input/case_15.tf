# expect-field: target_groups["web"].port
# expect-rule: integer 1-65535
module "case_15" {
  source = "../.."

  name          = "${var.prefix}-c15"
  vpc_id        = local.vpc_id
  subnet_ids    = local.subnet_ids
  target_groups = { web = { port = 70000 } }
  listeners     = { http = { port = 80, default_action = { forward = { target_group_key = "web" } } } }
}
