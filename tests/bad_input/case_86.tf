# expect-field: listeners["http"].rules["bad"].conditions.http_headers["Host"]
# expect-rule: conditions.http_headers names must be
module "case_86" {
  source = "../.."

  name          = "${var.prefix}-c86"
  vpc_id        = local.vpc_id
  subnet_ids    = local.subnet_ids
  target_groups = { web = { port = 80 } }
  listeners = {
    http = {
      port           = 80
      default_action = { forward = { target_group_key = "web" } }
      rules = {
        bad = { priority = 10, conditions = { http_headers = { Host = ["example.com"] } }, action = { forward = { target_group_key = "web" } } }
      }
    }
  }
}
