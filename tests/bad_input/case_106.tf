# Control case: valid neighbours of the listener, rule and action checks (IAM and ACM certificates, security
# policies old and new, HTTP to HTTPS and HTTPS to HTTPS redirects, exactly 5 wildcards, header names and values
# with punctuation, methods with - and _, escaped query wildcards, IPv6 source, 5 weighted groups at weights 0 and
# 999, a 1024-byte body, priority edges, a path pattern starting with a wildcard, a redirect host built on #{host},
# a policy added with additional_ssl_policies, listener and rule tags); it must produce no diagnostic.
module "case_106" {
  source = "../.."

  name       = "${var.prefix}-c106"
  vpc_id     = local.vpc_id
  subnet_ids = local.subnet_ids
  target_groups = {
    w1 = { port = 80 }, w2 = { port = 81 }, w3 = { port = 82 }, w4 = { port = 83 }, w5 = { port = 84 }
  }
  listeners = {
    http = {
      port           = 80
      default_action = { redirect = { protocol = "HTTPS", port = "443" } }
    }
    https = {
      port                        = 443
      protocol                    = "HTTPS"
      certificate_arn             = "arn:aws:iam::123456789012:server-certificate/prod/site"
      additional_certificate_arns = { other = "arn:aws:acm:us-east-1:123456789012:certificate/0f6b6bd8-7c7a-4d4b-9d57-1a2b3c4d5e6f" }
      ssl_policy                  = "ELBSecurityPolicy-TLS13-1-2-Res-PQ-2025-09"
      default_action              = { forward = { target_group_key = "w1" } }
      rules = {
        first    = { priority = 1, conditions = { path_pattern = ["/a*/b?/*", "/c*"], host_header = ["*.example.com"] }, action = { forward = { target_group_key = "w2" } } }
        headers  = { priority = 2, conditions = { http_headers = { X-Forwarded-Proto = ["https"], User-Agent = ["Mozilla/5.0 (X11; Linux)*"] } }, action = { forward = { target_group_key = "w3" } } }
        methods  = { priority = 3, conditions = { http_request_method = ["PATCH", "M-SEARCH", "X_CUSTOM"] }, action = { forward = { target_group_key = "w4" } } }
        query    = { priority = 4, conditions = { query_strings = [{ key = "q", value = "a\\*b" }, { value = "x=1;y" }], source_ip = ["10.0.0.0/8", "2001:db8::/32"] }, action = { forward = { target_group_key = "w5" } } }
        weighted = { priority = 5, conditions = { host_header = ["canary.example.co.uk"] }, action = { weighted_forward = { target_groups = { w1 = { weight = 0 }, w2 = { weight = 999 }, w3 = {}, w4 = {}, w5 = {} }, stickiness = { duration = 604800 } } } }
        body     = { priority = 6, conditions = { path_pattern = ["/maintenance"] }, action = { fixed_response = { status_code = "503", content_type = "application/json", message_body = join("", [for i in range(512) : "\u00e9"]) } } }
        moved    = { priority = 50000, conditions = { path_pattern = ["/old/*"] }, action = { redirect = { path = "/new/#{path}", query = "#{query}&from=old", status_code = "HTTP_302" } } }
        images   = { priority = 7, conditions = { path_pattern = ["*.png"] }, action = { redirect = { host = "img.#{host}", path = "/png/#{path}" } }, tags = { "Kind" = "redirect", "Owner" = "web@example.com" } }
      }
      tags = { "Tier" = "edge 1" }
    }
    next = {
      port                    = 9443
      protocol                = "HTTPS"
      certificate_arn         = "arn:aws:iam::123456789012:server-certificate/prod/site"
      ssl_policy              = "ELBSecurityPolicy-TLS13-1-2-Ext3-PQ-2027-01"
      additional_ssl_policies = ["ELBSecurityPolicy-TLS13-1-2-Ext3-PQ-2027-01"]
      default_action          = { fixed_response = { status_code = "204" } }
    }
    alt = {
      port            = 8443
      protocol        = "HTTPS"
      certificate_arn = "arn:aws:acm:us-east-1:123456789012:certificate/0f6b6bd8-7c7a-4d4b-9d57-1a2b3c4d5e6f"
      ssl_policy      = "ELBSecurityPolicy-2016-08"
      default_action  = { redirect = { host = "www.example.com", port = "443" } }
    }
  }
}
