# expect-field: route53_records["www6"].type
# expect-rule: An AAAA alias needs ip_address_type = "dualstack"
module "case_64" {
  source = "../.."

  name            = "${var.prefix}-c64"
  vpc_id          = local.vpc_id
  subnet_ids      = local.subnet_ids
  target_groups   = { web = { port = 80 } }
  listeners       = { http = { port = 80, default_action = { forward = { target_group_key = "web" } } } }
  route53_records = { www6 = { zone_id = "Z0000000000000", name = "www.example.com", type = "AAAA" } }
}
