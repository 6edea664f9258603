# expect-field: listeners["https"].certificate_arn
# expect-rule: HTTPS listener needs certificate_arn
module "case_35" {
  source = "../.."

  name          = "${var.prefix}-c35"
  vpc_id        = local.vpc_id
  subnet_ids    = local.subnet_ids
  target_groups = { web = { port = 80 } }
  listeners     = { https = { port = 443, protocol = "HTTPS", ssl_policy = "ELBSecurityPolicy-TLS13-1-2-2021-06", default_action = { forward = { target_group_key = "web" } } } }
}
