# expect-field: listeners["http"].rules["bad"].action
# expect-rule: redirect.protocol must be HTTP, HTTPS
module "case_51" {
  source = "../.."

  name          = "${var.prefix}-c51"
  vpc_id        = local.vpc_id
  subnet_ids    = local.subnet_ids
  target_groups = { web = { port = 80 } }
  listeners = {
    http = {
      port           = 80
      default_action = { forward = { target_group_key = "web" } }
      rules = {
        bad = { priority = 10, conditions = { path_pattern = ["/x"] }, action = { redirect = { protocol = "FTP" } } }
      }
    }
  }
}
