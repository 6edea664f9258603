# expect-stage: validate (the root module's own check of a literal: reported while Terraform validates)
# expect-field: web_acl_arn
# expect-rule: must be a REGIONAL WAFv2 web ACL ARN
# A CloudFront (global) web ACL: WAF refuses to associate it with an ALB.
module "case_63" {
  source = "../.."

  name              = "${var.prefix}-c63"
  vpc_id            = local.vpc_id
  subnet_ids        = local.subnet_ids
  target_groups     = { web = { port = 80 } }
  listeners         = { http = { port = 80, default_action = { forward = { target_group_key = "web" } } } }
  associate_web_acl = true
  web_acl_arn       = "arn:aws:wafv2:us-east-1:123456789012:global/webacl/site/0f6b6bd8-7c7a-4d4b-9d57-1a2b3c4d5e6f"
}
