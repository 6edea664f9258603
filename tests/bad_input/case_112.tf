# expect-stage: validate (the root module's own check of a literal: reported while Terraform validates)
# expect-field: security_groups.additional_alb_security_group_ids[1] = "monitoring-agents"
# expect-rule: security_groups.additional_alb_security_group_ids must hold security group IDs
# An extra security group named instead of given by ID.
module "case_112" {
  source = "../.."

  name            = "${var.prefix}-c112"
  vpc_id          = local.vpc_id
  subnet_ids      = local.subnet_ids
  target_groups   = { web = { port = 80 } }
  listeners       = { http = { port = 80, default_action = { forward = { target_group_key = "web" } } } }
  security_groups = { additional_alb_security_group_ids = ["sg-0123abcd", "monitoring-agents"] }
}
