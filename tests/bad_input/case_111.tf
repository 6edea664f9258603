# expect-stage: validate (the root module's own check of a literal: reported while Terraform validates)
# expect-field: got "edge-logs.mrap"|got "team-a/alb/"
# expect-rule: access_logs.bucket must be an S3 bucket name|access_logs.prefix must not start or end with "/"
# A Multi-Region Access Point's name (reserved suffix .mrap) where a bucket belongs, and a prefix ending in "/".
module "case_111" {
  source = "../.."

  name          = "${var.prefix}-c111"
  vpc_id        = local.vpc_id
  subnet_ids    = local.subnet_ids
  target_groups = { web = { port = 80 } }
  listeners     = { http = { port = 80, default_action = { forward = { target_group_key = "web" } } } }
  access_logs   = { bucket = "edge-logs.mrap", prefix = "team-a/alb/" }
}
