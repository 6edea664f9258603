# expect-field: name = "sg-
# expect-rule: Security group names cannot start with "sg-"
# A valid ALB name, but the module's security groups are named after it.
module "case_66" {
  source = "../.."

  name          = "sg-${var.prefix}-c66"
  vpc_id        = local.vpc_id
  subnet_ids    = local.subnet_ids
  target_groups = { web = { port = 80 } }
  listeners     = { http = { port = 80, default_action = { forward = { target_group_key = "web" } } } }
}
