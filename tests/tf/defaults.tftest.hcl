# The module's secure defaults and key shapes, from the smallest useful input.
mock_provider "aws" {
  source = "./tests/tf/mocks"
}

variables {
  name       = "tt-defaults"
  vpc_id     = "vpc-0123456789abcdef0"
  subnet_ids = ["subnet-0aaaaaaaaaaaaaaaa", "subnet-0bbbbbbbbbbbbbbbb"]
  target_groups = {
    web = { port = 80, targets = { a = { target_id = "i-0123456789abcdef1" }, b = { target_id = "i-0123456789abcdef2" } } }
  }
  listeners = {
    http = { port = 80, default_action = { forward = { target_group_key = "web" } } }
    https = {
      port                        = 443
      protocol                    = "HTTPS"
      certificate_arn             = "arn:aws:acm:us-east-1:123456789012:certificate/default"
      additional_certificate_arns = { sni-b = "arn:aws:acm:us-east-1:123456789012:certificate/b", sni-a = "arn:aws:acm:us-east-1:123456789012:certificate/a" }
      default_action              = { fixed_response = { status_code = 404 } }
    }
  }
}

run "secure_lb_defaults" {
  command = plan

  assert {
    condition     = aws_lb.this.enable_deletion_protection == true
    error_message = "enable_deletion_protection must default to true."
  }
  assert {
    condition     = aws_lb.this.drop_invalid_header_fields == true
    error_message = "drop_invalid_header_fields must default to true."
  }
  assert {
    condition     = aws_lb.this.desync_mitigation_mode == "defensive" && aws_lb.this.xff_header_processing_mode == "append"
    error_message = "desync_mitigation_mode/xff_header_processing_mode defaults changed."
  }
  assert {
    condition     = aws_lb.this.internal == false && aws_lb.this.idle_timeout == 60 && aws_lb.this.enable_http2 == true
    error_message = "internal/idle_timeout/enable_http2 defaults changed."
  }
  assert {
    condition     = aws_lb.this.load_balancer_type == "application" && length(aws_lb.this.access_logs) == 0
    error_message = "Expected an application LB without access logs by default."
  }
}

# The listener module directly: its resources are not visible from a root-module run.
run "listener_defaults" {
  command = plan

  module {
    source = "./modules/listener"
  }

  variables {
    load_balancer_arn           = "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/tt/50dc6c495c0c9188"
    port                        = 443
    protocol                    = "HTTPS"
    certificate_arn             = "arn:aws:acm:us-east-1:123456789012:certificate/default"
    additional_certificate_arns = { sni-b = "arn:aws:acm:us-east-1:123456789012:certificate/b", sni-a = "arn:aws:acm:us-east-1:123456789012:certificate/a" }
    default_action              = { fixed_response = { status_code = 404 } }
  }

  assert {
    condition     = aws_lb_listener.this.ssl_policy == "ELBSecurityPolicy-TLS13-1-2-2021-06"
    error_message = "HTTPS listeners must default to the TLS 1.3 policy."
  }
  assert {
    condition     = keys(aws_lb_listener_certificate.this) == ["sni-a", "sni-b"]
    error_message = "SNI certificates must be keyed by their names, got ${jsonencode(keys(aws_lb_listener_certificate.this))}."
  }
  assert {
    condition = (aws_lb_listener.this.default_action[0].type == "fixed-response"
      && aws_lb_listener.this.default_action[0].fixed_response[0].status_code == "404"
    && aws_lb_listener.this.default_action[0].fixed_response[0].content_type == "text/plain")
    error_message = "fixed_response default action: status 404 (number input) and content_type text/plain expected."
  }
}

run "http_listener_defaults" {
  command = plan

  module {
    source = "./modules/listener"
  }

  variables {
    load_balancer_arn = "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/tt/50dc6c495c0c9188"
    port              = 80
    default_action    = { redirect = { protocol = "HTTPS", port = "443" } }
  }

  assert {
    condition     = aws_lb_listener.this.certificate_arn == null && aws_lb_listener.this.protocol == "HTTP"
    error_message = "HTTP listeners must carry no certificate."
  }
  assert {
    condition     = aws_lb_listener.this.default_action[0].redirect[0].status_code == "HTTP_301" && aws_lb_listener.this.default_action[0].redirect[0].host == "#{host}"
    error_message = "A redirect keeps the request's other components and defaults to HTTP_301."
  }
}

run "target_group_defaults" {
  command = apply

  assert {
    condition     = output.target_group_arns["web"] == module.target_group["web"].arn && can(regex("^tt-defaults-web-[0-9a-f]{4}$", module.target_group["web"].name))
    error_message = "Target group name must default to \"<name>-<key>-<4 hex digits>\"."
  }
  assert {
    condition     = keys(module.target_group["web"].attachment_ids) == ["a", "b"]
    error_message = "Attachments must be keyed by the user's target keys."
  }
  assert {
    condition     = length(module.security_groups.alb_ingress_rule_ids) == 0
    error_message = "Nothing may be opened to the listeners by default, got ${jsonencode(keys(module.security_groups.alb_ingress_rule_ids))}."
  }
  assert {
    condition     = keys(module.listener["https"].certificate_ids) == ["sni-a", "sni-b"]
    error_message = "The root module passes SNI certificates through, keyed by name."
  }
  assert {
    condition     = output.security_group_ids.alb != output.security_group_ids.targets
    error_message = "The ALB and the targets need separate SGs."
  }
  assert {
    condition     = length(output.rule_arns) == 0 && output.routing_table["http"][0].rule == "default"
    error_message = "Without rules the routing table holds just the default action."
  }
}

run "no_waf_no_dns_by_default" {
  command = plan

  assert {
    condition     = length(aws_wafv2_web_acl_association.this) == 0 && length(aws_route53_record.this) == 0
    error_message = "WAF association and Route53 records must be opt-in."
  }
}
