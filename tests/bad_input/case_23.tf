# expect-field: target_groups["web"].health_check.port
# expect-rule: "traffic-port" or a port
module "case_23" {
  source = "../.."

  name          = "${var.prefix}-c23"
  vpc_id        = local.vpc_id
  subnet_ids    = local.subnet_ids
  target_groups = { web = { port = 80, health_check = { port = "http" } } }
  listeners     = { http = { port = 80, default_action = { forward = { target_group_key = "web" } } } }
}
