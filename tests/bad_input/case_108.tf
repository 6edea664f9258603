# expect-stage: validate (the root module's own check of a literal: reported while Terraform validates)
# expect-field: listeners
# expect-rule: must be a map of objects keyed by your own keys
# A list where the module expects listeners keyed by name.
module "case_108" {
  source = "../.."

  name          = "${var.prefix}-c108"
  vpc_id        = local.vpc_id
  subnet_ids    = local.subnet_ids
  target_groups = { web = { port = 80 } }
  listeners     = [{ port = 80, default_action = { forward = { target_group_key = "web" } } }]
}
