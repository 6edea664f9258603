# expect-stage: validate (the root module's own check of a literal: reported while Terraform validates)
# expect-field: listeners["b"].port = 80
# expect-rule: must be unique
module "case_33" {
  source = "../.."

  name          = "${var.prefix}-c33"
  vpc_id        = local.vpc_id
  subnet_ids    = local.subnet_ids
  target_groups = { web = { port = 80 } }
  listeners = {
    a = { port = 80, default_action = { forward = { target_group_key = "web" } } }
    b = { port = 80, default_action = { forward = { target_group_key = "web" } } }
  }
}
