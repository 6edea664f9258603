# expect-field: listeners["http"].rules["bad"].conditions
# expect-rule: at most 5 wildcards
module "case_84" {
  source = "../.."

  name          = "${var.prefix}-c84"
  vpc_id        = local.vpc_id
  subnet_ids    = local.subnet_ids
  target_groups = { web = { port = 80 } }
  listeners = {
    http = {
      port           = 80
      default_action = { forward = { target_group_key = "web" } }
      rules = {
        bad = { priority = 10, conditions = { path_pattern = ["/*/*/*", "/a?/*/*"] }, action = { forward = { target_group_key = "web" } } }
      }
    }
  }
}
