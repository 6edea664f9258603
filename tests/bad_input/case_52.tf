# expect-field: listeners["http"].rules["bad"].action
# expect-rule: weights must be integers 0-999
module "case_52" {
  source = "../.."

  name          = "${var.prefix}-c52"
  vpc_id        = local.vpc_id
  subnet_ids    = local.subnet_ids
  target_groups = { web = { port = 80 } }
  listeners = {
    http = {
      port           = 80
      default_action = { forward = { target_group_key = "web" } }
      rules = {
        bad = { priority = 10, conditions = { path_pattern = ["/x"] }, action = { weighted_forward = { target_groups = { web = { weight = 1000 } } } } }
      }
    }
  }
}
