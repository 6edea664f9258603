# expect-field: access_logs.bucket
# expect-rule: must not be empty
module "case_09" {
  source = "../.."

  name          = "${var.prefix}-c09"
  vpc_id        = local.vpc_id
  subnet_ids    = local.subnet_ids
  target_groups = { web = { port = 80 } }
  listeners     = { http = { port = 80, default_action = { forward = { target_group_key = "web" } } } }
  access_logs   = { bucket = "" }
}
