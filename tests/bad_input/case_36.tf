# expect-field: listeners["http"]
# expect-rule: HTTP listener takes no certificates
module "case_36" {
  source = "../.."

  name          = "${var.prefix}-c36"
  vpc_id        = local.vpc_id
  subnet_ids    = local.subnet_ids
  target_groups = { web = { port = 80 } }
  listeners     = { http = { port = 80, certificate_arn = "arn:aws:acm:us-east-1:123456789012:certificate/abc", default_action = { forward = { target_group_key = "web" } } } }
}
