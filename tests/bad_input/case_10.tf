# expect-field: security_groups.ingress_cidr_ipv4
# expect-rule: IPv4 CIDRs
module "case_10" {
  source = "../.."

  name            = "${var.prefix}-c10"
  vpc_id          = local.vpc_id
  subnet_ids      = local.subnet_ids
  target_groups   = { web = { port = 80 } }
  listeners       = { http = { port = 80, default_action = { forward = { target_group_key = "web" } } } }
  security_groups = { ingress_cidr_ipv4 = ["10.0.0.0/33"] }
}
