# expect-field: listeners["https"].additional_ssl_policies[0] = "TLS13-1-2-Ext3-2026-01"
# expect-rule: additional_ssl_policies must follow AWS's naming scheme
# A policy added without its ELBSecurityPolicy- prefix. On a listener of its own: Terraform skips the check of
# ssl_policy, which reads this list, once the list itself is invalid.
module "case_125" {
  source = "../.."

  name          = "${var.prefix}-c125"
  vpc_id        = local.vpc_id
  subnet_ids    = local.subnet_ids
  target_groups = { web = { port = 80 } }
  listeners = {
    https = {
      port                    = 443
      protocol                = "HTTPS"
      certificate_arn         = "arn:aws:iam::123456789012:server-certificate/shop"
      ssl_policy              = "TLS13-1-2-Ext3-2026-01"
      additional_ssl_policies = ["TLS13-1-2-Ext3-2026-01"]
      default_action          = { forward = { target_group_key = "web" } }
    }
  }
}
