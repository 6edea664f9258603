# expect-stage: validate (the root module's own check of a literal: reported while Terraform validates)
# expect-field: name "
# expect-rule: must be 1-32 characters
module "case_03" {
  source = "../.."

  name          = "bad-c03-far-too-long-for-an-alb-name"
  vpc_id        = local.vpc_id
  subnet_ids    = local.subnet_ids
  target_groups = { web = { port = 80 } }
  listeners     = { http = { port = 80, default_action = { forward = { target_group_key = "web" } } } }
}
