# expect-field: listeners["http"].rules["mobile"].conditions.http_headers["X-Client-*"]|listeners["http"].rules["cart"].conditions.path_pattern "shop.example.net/cart*"|listeners["http"].rules["v2"].conditions.path_pattern "api/v2/*"|listeners["http"].rules["a"].tags["release:"] = "2024.10~rc"|listeners["http"].rules["b"].tags has 51
# expect-rule: conditions.http_headers names must be|conditions.path_pattern values match the request's path|conditions.path_pattern values match the request's path|Tags must be ELB tags|A resource takes at most 50 tags, those it inherits included
# Rules of one listener: a wildcard in a header name (wildcards match values only); a host and path pasted as a path
# pattern; a relative path; a "~" in a rule's tag; 41 tags of a rule's own on top of the 10 of the ALB and its
# listener.
module "case_119" {
  source = "../.."

  name          = "${var.prefix}-c119"
  vpc_id        = local.vpc_id
  subnet_ids    = local.subnet_ids
  target_groups = { web = { port = 80 } }
  listeners = {
    http = {
      port           = 80
      default_action = { forward = { target_group_key = "web" } }
      tags           = { for i in range(5) : "listener-${i}" => "l" }
      rules = {
        mobile = { priority = 10, conditions = { http_headers = { "X-Client-*" = ["mobile"] } }, action = { forward = { target_group_key = "web" } } }
        cart   = { priority = 20, conditions = { path_pattern = ["shop.example.net/cart*"] }, action = { forward = { target_group_key = "web" } } }
        v2     = { priority = 30, conditions = { path_pattern = ["api/v2/*"] }, action = { forward = { target_group_key = "web" } } }
        a      = { priority = 60, conditions = { path_pattern = ["/a"] }, action = { forward = { target_group_key = "web" } }, tags = { "release:" = "2024.10~rc" } }
        b      = { priority = 70, conditions = { path_pattern = ["/b"] }, action = { forward = { target_group_key = "web" } }, tags = { for i in range(41) : "rule-${i}" => "r" } }
      }
    }
  }
  tags = { for i in range(5) : "alb-${i}" => "a" }
}
