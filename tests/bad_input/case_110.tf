# expect-stage: validate (the root module's own check of a literal: reported while Terraform validates)
# expect-field: got "alb-logs.s3.dualstack.us-east-1.amazonaws.com"|got "/alb/prod"
# expect-rule: access_logs.bucket must be the bucket's name, not its domain name|access_logs.prefix must not start or end with "/"
# The bucket's dual-stack endpoint instead of its name, and a prefix written as an absolute path.
module "case_110" {
  source = "../.."

  name          = "${var.prefix}-c110"
  vpc_id        = local.vpc_id
  subnet_ids    = local.subnet_ids
  target_groups = { web = { port = 80 } }
  listeners     = { http = { port = 80, default_action = { forward = { target_group_key = "web" } } } }
  access_logs   = { bucket = "alb-logs.s3.dualstack.us-east-1.amazonaws.com", prefix = "/alb/prod" }
}
