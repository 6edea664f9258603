# expect-field: listeners["http"].rules["bad"].action.redirect.query
# expect-rule: without the leading "?"
module "case_93" {
  source = "../.."

  name          = "${var.prefix}-c93"
  vpc_id        = local.vpc_id
  subnet_ids    = local.subnet_ids
  target_groups = { web = { port = 80 } }
  listeners = {
    http = {
      port           = 80
      default_action = { forward = { target_group_key = "web" } }
      rules = {
        bad = { priority = 10, conditions = { path_pattern = ["/x"] }, action = { redirect = { protocol = "HTTPS", query = "?lang=en" } } }
      }
    }
  }
}
