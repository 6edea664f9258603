# expect-stage: validate (the root module's own check of a literal: reported while Terraform validates)
# expect-field: tags["aws:owner"]
# expect-rule: Tags must be ELB tags
module "case_65" {
  source = "../.."

  name          = "${var.prefix}-c65"
  vpc_id        = local.vpc_id
  subnet_ids    = local.subnet_ids
  target_groups = { web = { port = 80 } }
  listeners     = { http = { port = 80, default_action = { forward = { target_group_key = "web" } } } }
  tags          = { "aws:owner" = "platform" }
}
