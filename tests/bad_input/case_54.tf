# expect-stage: validate (the root module's own check of a literal: reported while Terraform validates)
# expect-field: route53_records["www"].type
# expect-rule: must be A or AAAA
module "case_54" {
  source = "../.."

  name            = "${var.prefix}-c54"
  vpc_id          = local.vpc_id
  subnet_ids      = local.subnet_ids
  target_groups   = { web = { port = 80 } }
  listeners       = { http = { port = 80, default_action = { forward = { target_group_key = "web" } } } }
  route53_records = { www = { zone_id = "Z0000000000000", name = "www.example.com", type = "CNAME" } }
}
