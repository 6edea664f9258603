# expect-field: rules["extra"].priority = 10
# expect-rule: Rule priority is already taken on this listener by rules managed elsewhere
# modules/listener-rules next to the module's own rules: priority 10 is taken by the module's rule "api".
module "case_96" {
  source = "../.."

  name          = "${var.prefix}-c96"
  vpc_id        = local.vpc_id
  subnet_ids    = local.subnet_ids
  target_groups = { web = { port = 80 } }
  listeners = {
    http = {
      port           = 80
      default_action = { forward = { target_group_key = "web" } }
      rules = {
        api = { priority = 10, conditions = { path_pattern = ["/api/*"] }, action = { forward = { target_group_key = "web" } } }
      }
    }
  }
}

module "case_96_rules" {
  source = "../../modules/listener-rules"

  listener_arn        = module.case_96.listener_arns["http"]
  target_group_arns   = module.case_96.target_group_arns
  reserved_priorities = module.case_96.rule_priorities["http"]
  rules = {
    extra = { priority = 10, conditions = { path_pattern = ["/extra/*"] }, action = { forward = { target_group_key = "web" } } }
  }
}
