# expect-stage: validate (the root module's own check of a literal: reported while Terraform validates)
# expect-field: access_logs.prefix
# expect-rule: must not contain "AWSLogs"
module "case_61" {
  source = "../.."

  name          = "${var.prefix}-c61"
  vpc_id        = local.vpc_id
  subnet_ids    = local.subnet_ids
  target_groups = { web = { port = 80 } }
  listeners     = { http = { port = 80, default_action = { forward = { target_group_key = "web" } } } }
  access_logs   = { bucket = "my-alb-logs", prefix = "prod/AWSLogs" }
}
