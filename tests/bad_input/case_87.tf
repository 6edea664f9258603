# expect-field: listeners["http"].rules["bad"].conditions.http_headers["X-Env"]
# expect-rule: conditions.http_headers values must be a non-empty list
module "case_87" {
  source = "../.."

  name          = "${var.prefix}-c87"
  vpc_id        = local.vpc_id
  subnet_ids    = local.subnet_ids
  target_groups = { web = { port = 80 } }
  listeners = {
    http = {
      port           = 80
      default_action = { forward = { target_group_key = "web" } }
      rules = {
        bad = { priority = 10, conditions = { http_headers = { X-Env = [] }, path_pattern = ["/x"] }, action = { forward = { target_group_key = "web" } } }
      }
    }
  }
}
