# expect-field: listeners["https"].ssl_policy
# expect-rule: ELBSecurityPolicy-
module "case_37" {
  source = "../.."

  name          = "${var.prefix}-c37"
  vpc_id        = local.vpc_id
  subnet_ids    = local.subnet_ids
  target_groups = { web = { port = 80 } }
  listeners     = { https = { port = 443, protocol = "HTTPS", certificate_arn = "arn:aws:acm:us-east-1:123456789012:certificate/abc", ssl_policy = "TLS13", default_action = { forward = { target_group_key = "web" } } } }
}
