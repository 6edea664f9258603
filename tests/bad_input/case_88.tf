# expect-field: listeners["http"].rules["bad"].conditions.query_strings[0]
# expect-rule: conditions.query_strings keys and values must be
module "case_88" {
  source = "../.."

  name          = "${var.prefix}-c88"
  vpc_id        = local.vpc_id
  subnet_ids    = local.subnet_ids
  target_groups = { web = { port = 80 } }
  listeners = {
    http = {
      port           = 80
      default_action = { forward = { target_group_key = "web" } }
      rules = {
        bad = { priority = 10, conditions = { query_strings = [{ key = "q", value = "two words" }] }, action = { forward = { target_group_key = "web" } } }
      }
    }
  }
}
