# expect-stage: validate (the root module's own check of a literal: reported while Terraform validates)
# expect-field: desync_mitigation_mode
# expect-rule: monitor, defensive, strictest
module "case_07" {
  source = "../.."

  name                   = "${var.prefix}-c07"
  vpc_id                 = local.vpc_id
  subnet_ids             = local.subnet_ids
  target_groups          = { web = { port = 80 } }
  listeners              = { http = { port = 80, default_action = { forward = { target_group_key = "web" } } } }
  desync_mitigation_mode = "off"
}
