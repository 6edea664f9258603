# expect-field: target_groups["fn"].port
# expect-rule: unset for lambda
module "case_16" {
  source = "../.."

  name          = "${var.prefix}-c16"
  vpc_id        = local.vpc_id
  subnet_ids    = local.subnet_ids
  target_groups = { fn = { target_type = "lambda", port = 80 } }
  listeners     = { http = { port = 80, default_action = { forward = { target_group_key = "fn" } } } }
}
