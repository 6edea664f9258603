# expect-field: listeners["http"].rules["bad"].action.redirect.host
# expect-rule: redirect.host must be 1-128 characters
module "case_91" {
  source = "../.."

  name          = "${var.prefix}-c91"
  vpc_id        = local.vpc_id
  subnet_ids    = local.subnet_ids
  target_groups = { web = { port = 80 } }
  listeners = {
    http = {
      port           = 80
      default_action = { forward = { target_group_key = "web" } }
      rules = {
        bad = { priority = 10, conditions = { path_pattern = ["/x"] }, action = { redirect = { host = "${join("", [for i in range(130) : "h"])}" } } }
      }
    }
  }
}
