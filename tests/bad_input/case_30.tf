# expect-field: target_groups["web"].deregistration_delay
# expect-rule: 0-3600 seconds
module "case_30" {
  source = "../.."

  name          = "${var.prefix}-c30"
  vpc_id        = local.vpc_id
  subnet_ids    = local.subnet_ids
  target_groups = { web = { port = 80, deregistration_delay = 4000 } }
  listeners     = { http = { port = 80, default_action = { forward = { target_group_key = "web" } } } }
}
