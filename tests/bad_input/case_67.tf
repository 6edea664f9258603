# expect-field: vpc_cidr_blocks must hold IPv4 CIDRs
# expect-rule: "10.0.0.0/33"
module "case_67" {
  source = "../.."

  name            = "${var.prefix}-c67"
  vpc_id          = local.vpc_id
  subnet_ids      = local.subnet_ids
  target_groups   = { web = { port = 80 } }
  listeners       = { http = { port = 80, default_action = { forward = { target_group_key = "web" } } } }
  vpc_cidr_blocks = ["10.0.0.0/33"]
}
