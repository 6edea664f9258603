# expect-field: listeners["https"].certificate_arn = "my-site-cert"
# expect-rule: Certificate ARNs must be ACM
module "case_82" {
  source = "../.."

  name          = "${var.prefix}-c82"
  vpc_id        = local.vpc_id
  subnet_ids    = local.subnet_ids
  target_groups = { web = { port = 80 } }
  listeners     = { https = { port = 443, protocol = "HTTPS", certificate_arn = "my-site-cert", default_action = { forward = { target_group_key = "web" } } } }
}
