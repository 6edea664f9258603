# expect-field: listeners["http"].rules["bad"].conditions.host_header "example.com:8080"
# expect-rule: conditions.host_header values must be
# A port in a host condition: the host condition matches the name only.
module "case_85" {
  source = "../.."

  name          = "${var.prefix}-c85"
  vpc_id        = local.vpc_id
  subnet_ids    = local.subnet_ids
  target_groups = { web = { port = 80 } }
  listeners = {
    http = {
      port           = 80
      default_action = { forward = { target_group_key = "web" } }
      rules = {
        bad = { priority = 10, conditions = { host_header = ["example.com:8080"] }, action = { forward = { target_group_key = "web" } } }
      }
    }
  }
}
