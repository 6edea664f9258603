# expect-field: got "arn:aws:wafv2:eu-central-1:123456789012:regional/webacl/
# expect-rule: web_acl_arn must be in the ALB's partition and region (aws, us-east-1
# A regional web ACL of another region (the provider's is us-east-1): reported at plan, once the region is read.
module "case_116" {
  source = "../.."

  name              = "${var.prefix}-c116"
  vpc_id            = local.vpc_id
  subnet_ids        = local.subnet_ids
  target_groups     = { web = { port = 80 } }
  listeners         = { http = { port = 80, default_action = { forward = { target_group_key = "web" } } } }
  associate_web_acl = true
  web_acl_arn       = "arn:aws:wafv2:eu-central-1:123456789012:regional/webacl/shop/8d2c52b1-3f4e-4b6a-9c1d-2e3f4a5b6c7d"
}
