# expect-stage: validate (the root module's own check of a literal: reported while Terraform validates)
# expect-field: idle_timeout
# expect-rule: 1-4000 seconds
module "case_06" {
  source = "../.."

  name          = "${var.prefix}-c06"
  vpc_id        = local.vpc_id
  subnet_ids    = local.subnet_ids
  target_groups = { web = { port = 80 } }
  listeners     = { http = { port = 80, default_action = { forward = { target_group_key = "web" } } } }
  idle_timeout  = 0
}
