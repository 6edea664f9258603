# expect-field: target_groups["onprem"].targets["dc1"].target_id = "203.0.113.10"
# expect-rule: availability_zone = "all" is for addresses outside the VPC, and those must be private
# A public address as an on-premises target.
module "case_79" {
  source = "../.."

  name          = "${var.prefix}-c79"
  vpc_id        = local.vpc_id
  subnet_ids    = local.subnet_ids
  target_groups = { onprem = { target_type = "ip", port = 80, targets = { dc1 = { target_id = "203.0.113.10", availability_zone = "all" } } } }
  listeners     = { http = { port = 80, default_action = { forward = { target_group_key = "onprem" } } } }
}
