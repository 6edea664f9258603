# expect-field: target_groups["web"].name
# expect-rule: 1-32 characters
module "case_13" {
  source = "../.."

  name          = "${var.prefix}-c13"
  vpc_id        = local.vpc_id
  subnet_ids    = local.subnet_ids
  target_groups = { web = { name = "-bad-", port = 80 } }
  listeners     = { http = { port = 80, default_action = { forward = { target_group_key = "web" } } } }
}
