# expect-stage: validate (the root module's own check of a literal: reported while Terraform validates)
# expect-field: subnet_ids
# expect-rule: at least 2 subnets
module "case_04" {
  source = "../.."

  name          = "${var.prefix}-c04"
  vpc_id        = local.vpc_id
  subnet_ids    = ["subnet-0badb0d000000000a"]
  target_groups = { web = { port = 80 } }
  listeners     = { http = { port = 80, default_action = { forward = { target_group_key = "web" } } } }
}
