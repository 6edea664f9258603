# expect-field: listeners["http"].rules["bad"]
# expect-rule: 1-40 characters of A-Z
module "case_44" {
  source = "../.."

  name          = "${var.prefix}-c44"
  vpc_id        = local.vpc_id
  subnet_ids    = local.subnet_ids
  target_groups = { web = { port = 80 } }
  listeners = {
    http = {
      port           = 80
      default_action = { forward = { target_group_key = "web" } }
      rules = {
        bad = { priority = 10, conditions = { http_request_method = ["GET POST"] }, action = { forward = { target_group_key = "web" } } }
      }
    }
  }
}
