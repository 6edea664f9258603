# expect-field: target_groups["onprem"].targets["dc1"].target_id = "192.168.50.10"
# expect-rule: An ip target outside the VPC
# Outside vpc_cidr_blocks, registered without availability_zone = "all".
module "case_80" {
  source = "../.."

  name            = "${var.prefix}-c80"
  vpc_id          = local.vpc_id
  subnet_ids      = local.subnet_ids
  target_groups   = { onprem = { target_type = "ip", port = 80, targets = { dc1 = { target_id = "192.168.50.10" } } } }
  listeners       = { http = { port = 80, default_action = { forward = { target_group_key = "onprem" } } } }
  vpc_cidr_blocks = ["10.0.0.0/16"]
}
