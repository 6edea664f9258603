# expect-field: listeners["http"].rules["bad"].conditions
# expect-rule: at least one condition
module "case_40" {
  source = "../.."

  name          = "${var.prefix}-c40"
  vpc_id        = local.vpc_id
  subnet_ids    = local.subnet_ids
  target_groups = { web = { port = 80 } }
  listeners = {
    http = {
      port           = 80
      default_action = { forward = { target_group_key = "web" } }
      rules = {
        bad = { priority = 10, action = { forward = { target_group_key = "web" } } }
      }
    }
  }
}
