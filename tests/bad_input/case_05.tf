# expect-stage: validate (the root module's own check of a literal: reported while Terraform validates)
# expect-field: ip_address_type
# expect-rule: must be ipv4 or dualstack
module "case_05" {
  source = "../.."

  name            = "${var.prefix}-c05"
  vpc_id          = local.vpc_id
  subnet_ids      = local.subnet_ids
  target_groups   = { web = { port = 80 } }
  listeners       = { http = { port = 80, default_action = { forward = { target_group_key = "web" } } } }
  ip_address_type = "ipv6"
}
