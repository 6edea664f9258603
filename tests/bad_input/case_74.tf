# expect-field: target_groups["web"].stickiness.cookie_name = "AWSALB"
# expect-rule: must not start with AWSALB, AWSALBAPP or AWSALBTG
module "case_74" {
  source = "../.."

  name          = "${var.prefix}-c74"
  vpc_id        = local.vpc_id
  subnet_ids    = local.subnet_ids
  target_groups = { web = { port = 80, stickiness = { type = "app_cookie", cookie_name = "AWSALB" } } }
  listeners     = { http = { port = 80, default_action = { forward = { target_group_key = "web" } } } }
}
