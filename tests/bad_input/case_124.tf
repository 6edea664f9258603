# Control case: valid neighbours of the redirect and protocol-version checks (a default action redirecting to a path
# a rule serves, a wildcard host sent to the apex it does not match, a redirect kept for POST only, HTTPS on its own
# port of another host, a gRPC group behind an HTTPS listener); it must produce no diagnostic.
module "case_124" {
  source = "../.."

  name       = "${var.prefix}-c124"
  vpc_id     = local.vpc_id
  subnet_ids = local.subnet_ids
  target_groups = {
    web = { port = 80 }
    rpc = { port = 50051, protocol_version = "GRPC" }
  }
  listeners = {
    http = {
      port           = 80
      default_action = { redirect = { path = "/home", status_code = "HTTP_302" } }
      rules = {
        home = { priority = 10, conditions = { path_pattern = ["/home*"] }, action = { forward = { target_group_key = "web" } } }
        apex = { priority = 20, conditions = { host_header = ["*.shop.example"] }, action = { redirect = { host = "shop.example" } } }
        form = { priority = 30, conditions = { path_pattern = ["/form"], http_request_method = ["POST"] }, action = { redirect = { path = "/form", query = "sent=1" } } }
      }
    }
    pay = {
      port           = 8081
      default_action = { redirect = { protocol = "HTTPS", host = "pay.example.com" } }
    }
    https = {
      port            = 443
      protocol        = "HTTPS"
      certificate_arn = "arn:aws:acm:us-east-1:123456789012:certificate/0f6b6bd8-7c7a-4d4b-9d57-1a2b3c4d5e6f"
      default_action  = { forward = { target_group_key = "rpc" } }
    }
  }
}
