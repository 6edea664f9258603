# expect-field: target_groups["web"].targets["a"].availability_zone = "us-east-1a"
# expect-rule: availability_zone is not allowed in instance groups
module "case_78" {
  source = "../.."

  name          = "${var.prefix}-c78"
  vpc_id        = local.vpc_id
  subnet_ids    = local.subnet_ids
  target_groups = { web = { port = 80, targets = { a = { target_id = "i-0123456789abcdef0", availability_zone = "us-east-1a" } } } }
  listeners     = { http = { port = 80, default_action = { forward = { target_group_key = "web" } } } }
}
