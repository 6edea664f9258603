# expect-stage: validate (the root module's own check of a literal: reported while Terraform validates)
# expect-field: name "
# expect-rule: must be 1-32 characters
# Literal names: Terraform 1.11 did not report this validation for a name built from var.prefix.
module "case_01" {
  source = "../.."

  name          = "bad_c01"
  vpc_id        = local.vpc_id
  subnet_ids    = local.subnet_ids
  target_groups = { web = { port = 80 } }
  listeners     = { http = { port = 80, default_action = { forward = { target_group_key = "web" } } } }
}
