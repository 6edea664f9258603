# expect-field: listeners["http"].rules["bad"]
# expect-rule: at most 5 condition values
module "case_41" {
  source = "../.."

  name          = "${var.prefix}-c41"
  vpc_id        = local.vpc_id
  subnet_ids    = local.subnet_ids
  target_groups = { web = { port = 80 } }
  listeners = {
    http = {
      port           = 80
      default_action = { forward = { target_group_key = "web" } }
      rules = {
        bad = { priority = 10, conditions = { path_pattern = ["/a", "/b", "/c"], host_header = ["a.example.com", "b.example.com", "c.example.com"] }, action = { forward = { target_group_key = "web" } } }
      }
    }
  }
}
