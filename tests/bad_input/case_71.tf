# expect-field: target_groups["web"].health_check.enabled = false
# expect-rule: Health checks cannot be disabled for instance and ip target groups
module "case_71" {
  source = "../.."

  name          = "${var.prefix}-c71"
  vpc_id        = local.vpc_id
  subnet_ids    = local.subnet_ids
  target_groups = { web = { port = 80, health_check = { enabled = false } } }
  listeners     = { http = { port = 80, default_action = { forward = { target_group_key = "web" } } } }
}
