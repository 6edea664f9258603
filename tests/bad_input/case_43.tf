# expect-field: listeners["http"].rules["bad"]
# expect-rule: must be CIDRs
module "case_43" {
  source = "../.."

  name          = "${var.prefix}-c43"
  vpc_id        = local.vpc_id
  subnet_ids    = local.subnet_ids
  target_groups = { web = { port = 80 } }
  listeners = {
    http = {
      port           = 80
      default_action = { forward = { target_group_key = "web" } }
      rules = {
        bad = { priority = 10, conditions = { source_ip = ["not-a-cidr"] }, action = { forward = { target_group_key = "web" } } }
      }
    }
  }
}
