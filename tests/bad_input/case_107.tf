# Control case: rules added with modules/listener-rules next to the module's own, at a free priority, and a
# redirect on a known HTTPS listener that changes the path only; it must produce no diagnostic.
module "case_107" {
  source = "../.."

  name          = "${var.prefix}-c107"
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

module "case_107_rules" {
  source = "../../modules/listener-rules"

  listener_arn        = module.case_107.listener_arns["http"]
  target_group_arns   = module.case_107.target_group_arns
  reserved_priorities = module.case_107.rule_priorities["http"]
  rules = {
    extra = { priority = 11, conditions = { path_pattern = ["/extra/*"] }, action = { forward = { target_group_key = "web" } } }
  }
}

module "case_107_https_rules" {
  source = "../../modules/listener-rules"

  listener_arn      = "arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/app/c107/50dc6c495c0c9188/f2f7dc8efc522ab2"
  listener_protocol = "HTTPS"
  listener_port     = 443
  rules = {
    moved = { priority = 1, conditions = { path_pattern = ["/v1/*"] }, action = { redirect = { protocol = "HTTPS", port = "443", path = "/v2/#{path}" } } }
  }
}
