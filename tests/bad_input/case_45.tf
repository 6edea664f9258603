# expect-field: listeners["http"].rules["bad"].action
# expect-rule: exactly one of forward, weighted_forward, redirect, fixed_response
module "case_45" {
  source = "../.."

  name          = "${var.prefix}-c45"
  vpc_id        = local.vpc_id
  subnet_ids    = local.subnet_ids
  target_groups = { web = { port = 80 } }
  listeners = {
    http = {
      port           = 80
      default_action = { forward = { target_group_key = "web" } }
      rules = {
        bad = { priority = 10, conditions = { path_pattern = ["/x"] }, action = { forward = { target_group_key = "web" }, fixed_response = { status_code = "404" } } }
      }
    }
  }
}
