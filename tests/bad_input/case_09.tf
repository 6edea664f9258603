# expect-stage: validate (the root module's own check of a literal: reported while Terraform validates)
# expect-field: access_logs.bucket
# expect-rule: must be an S3 bucket name
module "case_09" {
  source = "../.."

  name          = "${var.prefix}-c09"
  vpc_id        = local.vpc_id
  subnet_ids    = local.subnet_ids
  target_groups = { web = { port = 80 } }
  listeners     = { http = { port = 80, default_action = { forward = { target_group_key = "web" } } } }
  access_logs   = { bucket = "arn:aws:s3:::my-alb-logs" }
}
