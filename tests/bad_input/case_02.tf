# expect-stage: validate (the root module's own check of a literal: reported while Terraform validates)
# expect-field: name "internal-
# expect-rule: not start with "internal-"
module "case_02" {
  source = "../.."

  name          = "internal-bad-c02"
  vpc_id        = local.vpc_id
  subnet_ids    = local.subnet_ids
  target_groups = { web = { port = 80 } }
  listeners     = { http = { port = 80, default_action = { forward = { target_group_key = "web" } } } }
}
