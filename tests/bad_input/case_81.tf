# expect-field: target_groups["vpc"].targets["a"].target_id = "10.0.1.5"
# expect-rule: availability_zone = "all" is for addresses outside the VPC
# Inside vpc_cidr_blocks, yet registered as if outside.
module "case_81" {
  source = "../.."

  name            = "${var.prefix}-c81"
  vpc_id          = local.vpc_id
  subnet_ids      = local.subnet_ids
  target_groups   = { vpc = { target_type = "ip", port = 80, targets = { a = { target_id = "10.0.1.5", availability_zone = "all" } } } }
  listeners       = { http = { port = 80, default_action = { forward = { target_group_key = "vpc" } } } }
  vpc_cidr_blocks = ["10.0.0.0/16"]
}
