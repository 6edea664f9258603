# expect-field: target_groups["a-very-long-target-group-key"].name
# expect-rule: Target group names must be 1-32 characters
module "case_58" {
  source = "../.."

  name          = "${var.prefix}-c58"
  vpc_id        = local.vpc_id
  subnet_ids    = local.subnet_ids
  target_groups = { a-very-long-target-group-key = { port = 80 } }
  listeners     = { http = { port = 80, default_action = { forward = { target_group_key = "a-very-long-target-group-key" } } } }
}
