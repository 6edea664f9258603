# expect-stage: validate (the root module's own check of a literal: reported while Terraform validates)
# expect-field: xff_header_processing_mode
# expect-rule: append, preserve, remove
module "case_08" {
  source = "../.."

  name                       = "${var.prefix}-c08"
  vpc_id                     = local.vpc_id
  subnet_ids                 = local.subnet_ids
  target_groups              = { web = { port = 80 } }
  listeners                  = { http = { port = 80, default_action = { forward = { target_group_key = "web" } } } }
  xff_header_processing_mode = "drop"
}
