# expect-field: target_groups["web"]
# expect-rule: load_balancing_anomaly_mitigation requires load_balancing_algorithm = weighted_random
module "case_29" {
  source = "../.."

  name          = "${var.prefix}-c29"
  vpc_id        = local.vpc_id
  subnet_ids    = local.subnet_ids
  target_groups = { web = { port = 80, load_balancing_anomaly_mitigation = true } }
  listeners     = { http = { port = 80, default_action = { forward = { target_group_key = "web" } } } }
}
