# expect-field: listeners["http"].rules["bad"].action.weighted_forward.target_groups
# expect-rule: weighted_forward needs 1-5 target_groups
module "case_89" {
  source = "../.."

  name          = "${var.prefix}-c89"
  vpc_id        = local.vpc_id
  subnet_ids    = local.subnet_ids
  target_groups = { web = { port = 80 } }
  listeners = {
    http = {
      port           = 80
      default_action = { forward = { target_group_key = "web" } }
      rules = {
        bad = { priority = 10, conditions = { path_pattern = ["/x"] }, action = { weighted_forward = { target_groups = {} } } }
      }
    }
  }
}
