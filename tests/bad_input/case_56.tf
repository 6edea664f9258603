# expect-stage: validate (the root module's own check of a literal: reported while Terraform validates)
# expect-field: name "|idle_timeout
# expect-rule: must be 1-32 characters|1-4000 seconds
# Two mistakes in one call: both are reported, not just the first.
module "case_56" {
  source = "../.."

  name          = "bad-c56-"
  vpc_id        = local.vpc_id
  subnet_ids    = local.subnet_ids
  idle_timeout  = 5000
  target_groups = { web = { port = 80 } }
  listeners     = { http = { port = 80, default_action = { forward = { target_group_key = "web" } } } }
}
