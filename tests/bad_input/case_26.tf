# expect-field: target_groups["web"].load_balancing_algorithm
# expect-rule: round_robin, least_outstanding_requests, weighted_random
module "case_26" {
  source = "../.."

  name          = "${var.prefix}-c26"
  vpc_id        = local.vpc_id
  subnet_ids    = local.subnet_ids
  target_groups = { web = { port = 80, load_balancing_algorithm = "random" } }
  listeners     = { http = { port = 80, default_action = { forward = { target_group_key = "web" } } } }
}
