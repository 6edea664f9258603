# expect-field: web_acl_arn
# expect-rule: associate_web_acl = true needs web_acl_arn
module "case_60" {
  source = "../.."

  name              = "${var.prefix}-c60"
  vpc_id            = local.vpc_id
  subnet_ids        = local.subnet_ids
  target_groups     = { web = { port = 80 } }
  listeners         = { http = { port = 80, default_action = { forward = { target_group_key = "web" } } } }
  associate_web_acl = true
}
