# expect-field: target_groups["onprem"].targets["dc1"].target_id = "i-0123456789abcdef0"
# expect-rule: must match the group's target_type ip: an IPv4 address
# An instance ID in an ip group.
module "case_77" {
  source = "../.."

  name          = "${var.prefix}-c77"
  vpc_id        = local.vpc_id
  subnet_ids    = local.subnet_ids
  target_groups = { onprem = { target_type = "ip", port = 80, targets = { dc1 = { target_id = "i-0123456789abcdef0" } } } }
  listeners     = { http = { port = 80, default_action = { forward = { target_group_key = "onprem" } } } }
}
