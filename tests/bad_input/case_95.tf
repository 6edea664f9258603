# expect-field: listeners["https"].rules["down"].action.redirect.protocol = "HTTP"
# expect-rule: An HTTPS listener cannot redirect to HTTP
module "case_95" {
  source = "../.."

  name          = "${var.prefix}-c95"
  vpc_id        = local.vpc_id
  subnet_ids    = local.subnet_ids
  target_groups = { web = { port = 80 } }
  listeners = {
    https = {
      port            = 443
      protocol        = "HTTPS"
      certificate_arn = "arn:aws:acm:us-east-1:123456789012:certificate/0f6b6bd8-7c7a-4d4b-9d57-1a2b3c4d5e6f"
      default_action  = { forward = { target_group_key = "web" } }
      rules = {
        down = { priority = 10, conditions = { path_pattern = ["/plain/*"] }, action = { redirect = { protocol = "HTTP", port = "80" } } }
      }
    }
  }
}
