# expect-field: target_groups["web"].target_type
# expect-rule: instance, ip, lambda
module "case_14" {
  source = "../.."

  name          = "${var.prefix}-c14"
  vpc_id        = local.vpc_id
  subnet_ids    = local.subnet_ids
  target_groups = { web = { target_type = "alb", port = 80 } }
  listeners     = { http = { port = 80, default_action = { forward = { target_group_key = "web" } } } }
}
