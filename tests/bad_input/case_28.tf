# expect-field: target_groups["web"]
# expect-rule: slow_start works only with load_balancing_algorithm round_robin
module "case_28" {
  source = "../.."

  name          = "${var.prefix}-c28"
  vpc_id        = local.vpc_id
  subnet_ids    = local.subnet_ids
  target_groups = { web = { port = 80, slow_start = 60, load_balancing_algorithm = "least_outstanding_requests" } }
  listeners     = { http = { port = 80, default_action = { forward = { target_group_key = "web" } } } }
}
