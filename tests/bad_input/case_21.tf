# expect-field: target_groups["web"].health_check
# expect-rule: unhealthy_threshold must be integers 2-10
module "case_21" {
  source = "../.."

  name          = "${var.prefix}-c21"
  vpc_id        = local.vpc_id
  subnet_ids    = local.subnet_ids
  target_groups = { web = { port = 80, health_check = { healthy_threshold = 1 } } }
  listeners     = { http = { port = 80, default_action = { forward = { target_group_key = "web" } } } }
}
