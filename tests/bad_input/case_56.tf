# expect-field: name "|listeners["http"].rules["bad"].priority
# expect-rule: must be 1-32 characters|integer 1-50000
module "case_56" {
  source = "../.."

  name          = "bad-c56-"
  vpc_id        = local.vpc_id
  subnet_ids    = local.subnet_ids
  target_groups = { web = { port = 80 } }
  listeners = {
    http = {
      port           = 80
      default_action = { forward = { target_group_key = "web" } }
      rules = {
        bad = { priority = 50001, conditions = { path_pattern = ["/x"] }, action = { forward = { target_group_key = "web" } } }
      }
    }
  }
}
