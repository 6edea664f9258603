# expect-field: listeners["http"].rules
# expect-rule: priorities must be unique per listener
module "case_38" {
  source = "../.."

  name          = "${var.prefix}-c38"
  vpc_id        = local.vpc_id
  subnet_ids    = local.subnet_ids
  target_groups = { web = { port = 80 } }
  listeners = {
    http = {
      port           = 80
      default_action = { forward = { target_group_key = "web" } }
      rules = {
        bad  = { priority = 10, conditions = { path_pattern = ["/x"] }, action = { forward = { target_group_key = "web" } } }
        twin = { priority = 10, conditions = { path_pattern = ["/y"] }, action = { forward = { target_group_key = "web" } } }
      }
    }
  }
}
