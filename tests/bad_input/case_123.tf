# expect-field: listeners["http"].default_action.redirect (path "/welcome")|listeners["alt"].rules["subdomains"].action.redirect (path "/#{path}")|listeners["alt"].rules["promo"].action.redirect (path "/promo")
# expect-rule: A redirect must not send the request back to where it came from|A redirect must not send the request back to where it came from|A redirect must not send the request back to where it came from
# The default action sends unknown paths to /welcome, which no rule matches: /welcome falls to the default action
# again. A rule for *.shop.example sends its requests to www.shop.example, which the rule matches again. A rule for
# /promo sends /promo to /promo with a query added.
module "case_123" {
  source = "../.."

  name          = "${var.prefix}-c123"
  vpc_id        = local.vpc_id
  subnet_ids    = local.subnet_ids
  target_groups = { web = { port = 80 } }
  listeners = {
    http = {
      port           = 80
      default_action = { redirect = { path = "/welcome", status_code = "HTTP_302" } }
      rules = {
        api = { priority = 10, conditions = { path_pattern = ["/api/*"] }, action = { forward = { target_group_key = "web" } } }
      }
    }
    alt = {
      port           = 8080
      default_action = { forward = { target_group_key = "web" } }
      rules = {
        promo      = { priority = 5, conditions = { path_pattern = ["/promo"] }, action = { redirect = { path = "/promo", query = "#{query}&src=mail" } } }
        subdomains = { priority = 20, conditions = { host_header = ["*.shop.example"] }, action = { redirect = { host = "www.shop.example" } } }
      }
    }
  }
}
