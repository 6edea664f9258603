# expect-field: target_groups["web"].targets["a"].port
# expect-rule: 1-65535 when set
module "case_31" {
  source = "../.."

  name          = "${var.prefix}-c31"
  vpc_id        = local.vpc_id
  subnet_ids    = local.subnet_ids
  target_groups = { web = { port = 80, targets = { a = { target_id = "i-0123456789abcdef0", port = 0 } } } }
  listeners     = { http = { port = 80, default_action = { forward = { target_group_key = "web" } } } }
}
