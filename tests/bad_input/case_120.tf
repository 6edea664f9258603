# expect-field: listeners["http"].rules["mobile"].conditions.http_headers["X-Client-*"]|listeners["http"].rules["cart"].conditions.path_pattern "shop.example.net/cart*"|listeners["http"].rules["v2"].conditions.path_pattern "api/v2/*"
# expect-rule: conditions.http_headers names must be|conditions.path_pattern values match the request's path|conditions.path_pattern values match the request's path
# A wildcard in a header name (wildcards match values only); a host and path pasted as a path pattern; a relative path.
module "case_120" {
  source = "../.."

  name          = "${var.prefix}-c120"
  vpc_id        = local.vpc_id
  subnet_ids    = local.subnet_ids
  target_groups = { web = { port = 80 } }
  listeners = {
    http = {
      port           = 80
      default_action = { forward = { target_group_key = "web" } }
      rules = {
        mobile = { priority = 10, conditions = { http_headers = { "X-Client-*" = ["mobile"] } }, action = { forward = { target_group_key = "web" } } }
        cart   = { priority = 20, conditions = { path_pattern = ["shop.example.net/cart*"] }, action = { forward = { target_group_key = "web" } } }
        v2     = { priority = 30, conditions = { path_pattern = ["api/v2/*"] }, action = { forward = { target_group_key = "web" } } }
      }
    }
  }
}
