# expect-field: listeners["web"].default_action.redirect goes to HTTPS on port 80|listeners["plain"].default_action.redirect goes to HTTP on port 443|listeners["dev"].default_action.redirect goes to HTTPS on port 8000|listeners["loop"].default_action.redirect (path "/welcome")|listeners["alt"].rules["subdomains"].action.redirect (path "/#{path}")|listeners["alt"].rules["promo"].action.redirect (path "/promo")|listeners["grpc"].default_action -> "rpc" (GRPC)|listeners["grpc"].rules["split"].action -> "h2" (HTTP2)|listeners["hosts"].rules["docs"].action.redirect.host = "https://docs.example.net"|listeners["hosts"].rules["admin"].action.redirect.host = "admin.example.net:8443"
# expect-rule: A redirect that switches the protocol must switch the port too|A redirect that switches the protocol must switch the port too|A redirect that switches the protocol must switch the port too|A redirect must not send the request back to where it came from|A redirect must not send the request back to where it came from|A redirect must not send the request back to where it came from|Target groups with protocol_version HTTP2 or GRPC take requests from HTTPS listeners only|Target groups with protocol_version HTTP2 or GRPC take requests from HTTPS listeners only|redirect.host must be a host name|redirect.host must be a host name
# Redirects and forwards no listener can answer. To HTTPS keeping the listener's port 80; to port 443 keeping plain
# HTTP; to HTTPS on this load balancer's HTTP port 8000 (one listener per port, one protocol per listener). A default
# action sending unknown paths to /welcome, which no rule matches: /welcome falls to the default action again. A
# rule for *.shop.example sending its requests to www.shop.example, which the rule matches again; a rule for /promo
# sending /promo to /promo with a query added. gRPC and HTTP/2 target groups behind a plain HTTP listener: clients
# reach them over TLS only. A redirect host written as a URL, and one with a port (the port has a field of its own).
module "case_120" {
  source = "../.."

  name       = "${var.prefix}-c120"
  vpc_id     = local.vpc_id
  subnet_ids = local.subnet_ids
  target_groups = {
    web = { port = 80 }
    rpc = { port = 50051, protocol_version = "GRPC" }
    h2  = { port = 8443, protocol = "HTTPS", protocol_version = "HTTP2" }
  }
  listeners = {
    web   = { port = 80, default_action = { redirect = { protocol = "HTTPS" } } }
    plain = { port = 8080, default_action = { redirect = { port = "443" } } }
    dev   = { port = 8000, default_action = { redirect = { protocol = "HTTPS", status_code = "HTTP_302" } } }
    loop = {
      port           = 81
      default_action = { redirect = { path = "/welcome", status_code = "HTTP_302" } }
      rules = {
        api = { priority = 10, conditions = { path_pattern = ["/api/*"] }, action = { forward = { target_group_key = "web" } } }
      }
    }
    alt = {
      port           = 8081
      default_action = { forward = { target_group_key = "web" } }
      rules = {
        promo      = { priority = 5, conditions = { path_pattern = ["/promo"] }, action = { redirect = { path = "/promo", query = "#{query}&src=mail" } } }
        subdomains = { priority = 20, conditions = { host_header = ["*.shop.example"] }, action = { redirect = { host = "www.shop.example" } } }
      }
    }
    hosts = {
      port           = 83
      default_action = { forward = { target_group_key = "web" } }
      rules = {
        docs  = { priority = 10, conditions = { path_pattern = ["/docs/*"] }, action = { redirect = { host = "https://docs.example.net" } } }
        admin = { priority = 20, conditions = { path_pattern = ["/admin/*"] }, action = { redirect = { host = "admin.example.net:8443" } } }
      }
    }
    grpc = {
      port           = 82
      default_action = { forward = { target_group_key = "rpc" } }
      rules = {
        split = { priority = 10, conditions = { path_pattern = ["/v2/*"] }, action = { weighted_forward = { target_groups = { web = { weight = 9 }, h2 = { weight = 1 } } } } }
      }
    }
  }
}
