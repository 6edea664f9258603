# expect-field: got "arn:aws:wafv2:eu-central-1:123456789012:regional/webacl/|security_groups.alb_security_group_id = "shop-alb"|security_groups.ingress_prefix_list_ids[0] = "com.amazonaws.us-east-1.s3"|security_groups.ingress_prefix_lists["office"] = "office-ranges"
# expect-rule: web_acl_arn must be in the ALB's partition and region (aws, us-east-1|Existing security groups are given by ID|ingress_prefix_list_ids must hold prefix list IDs|ingress_prefix_lists must map your names to prefix list IDs
# A regional web ACL of another region (the provider's is us-east-1): reported at plan, once the region is read. An
# existing security group by its name, and prefix lists by their names (an AWS-managed one and one's own).
module "case_116" {
  source = "../.."

  name          = "${var.prefix}-c116"
  vpc_id        = local.vpc_id
  subnet_ids    = local.subnet_ids
  target_groups = { web = { port = 80 } }
  listeners     = { http = { port = 80, default_action = { forward = { target_group_key = "web" } } } }
  security_groups = {
    create                   = false
    alb_security_group_id    = "shop-alb"
    target_security_group_id = "sg-0bbbbbbbbbbbbbbbb"
    ingress_prefix_list_ids  = ["com.amazonaws.us-east-1.s3"]
    ingress_prefix_lists     = { office = "office-ranges" }
  }
  associate_web_acl = true
  web_acl_arn       = "arn:aws:wafv2:eu-central-1:123456789012:regional/webacl/shop/8d2c52b1-3f4e-4b6a-9c1d-2e3f4a5b6c7d"
}
