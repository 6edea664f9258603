# expect-field: listeners["http"].rules["docs"].action.redirect.host = "https://docs.example.net"|listeners["http"].rules["admin"].action.redirect.host = "admin.example.net:8443"
# expect-rule: redirect.host must be a host name|redirect.host must be a host name
# A redirect host written as a URL, and one with a port (the port has a field of its own).
module "case_121" {
  source = "../.."

  name          = "${var.prefix}-c121"
  vpc_id        = local.vpc_id
  subnet_ids    = local.subnet_ids
  target_groups = { web = { port = 80 } }
  listeners = {
    http = {
      port           = 80
      default_action = { forward = { target_group_key = "web" } }
      rules = {
        docs  = { priority = 10, conditions = { path_pattern = ["/docs/*"] }, action = { redirect = { host = "https://docs.example.net" } } }
        admin = { priority = 20, conditions = { path_pattern = ["/admin/*"] }, action = { redirect = { host = "admin.example.net:8443" } } }
      }
    }
  }
}
