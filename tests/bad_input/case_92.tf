# expect-field: listeners["http"].rules["bad"].action.redirect.path = "new/#{path}"
# expect-rule: redirect.path must start with "/"
module "case_92" {
  source = "../.."

  name          = "${var.prefix}-c92"
  vpc_id        = local.vpc_id
  subnet_ids    = local.subnet_ids
  target_groups = { web = { port = 80 } }
  listeners = {
    http = {
      port           = 80
      default_action = { forward = { target_group_key = "web" } }
      rules = {
        bad = { priority = 10, conditions = { path_pattern = ["/old/*"] }, action = { redirect = { path = "new/#{path}" } } }
      }
    }
  }
}
