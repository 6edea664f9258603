# expect-stage: validate (the root module's own check of a literal: reported while Terraform validates)
# expect-field: route53_records["shop"].zone_id = "shop.example.org"|route53_records["shop"].name = "https://shop.example.org"
# expect-rule: route53_records[*].zone_id must be a hosted zone ID|route53_records[*].name must be a DNS name, not a URL
# The hosted zone's domain name where its ID belongs, and the site's URL as the record name.
module "case_113" {
  source = "../.."

  name            = "${var.prefix}-c113"
  vpc_id          = local.vpc_id
  subnet_ids      = local.subnet_ids
  target_groups   = { web = { port = 80 } }
  listeners       = { http = { port = 80, default_action = { forward = { target_group_key = "web" } } } }
  route53_records = { shop = { zone_id = "shop.example.org", name = "https://shop.example.org" } }
}
