# expect-stage: validate (the root module's own check of a literal: reported while Terraform validates)
# expect-field: target_groups
# expect-rule: must be a map of objects
module "case_62" {
  source = "../.."

  name          = "${var.prefix}-c62"
  vpc_id        = local.vpc_id
  subnet_ids    = local.subnet_ids
  target_groups = [{ port = 80 }]
}
