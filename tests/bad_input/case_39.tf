# expect-field: listeners["http"].rules["bad"].priority
# expect-rule: integer 1-50000
module "case_39" {
  source = "../.."

  name          = "${var.prefix}-c39"
  vpc_id        = local.vpc_id
  subnet_ids    = local.subnet_ids
  target_groups = { web = { port = 80 } }
  listeners = {
    http = {
      port           = 80
      default_action = { forward = { target_group_key = "web" } }
      rules = {
        bad = { priority = 0, conditions = { path_pattern = ["/x"] }, action = { forward = { target_group_key = "web" } } }
      }
    }
  }
}
