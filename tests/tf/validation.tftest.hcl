# Bad input fails at plan with a validation or precondition naming the field; nothing is created. Each check is
# tested in the module that owns it (run blocks with a module source), each module with a valid baseline first:
# without it, every expect_failures below would prove nothing.
mock_provider "aws" {
  source = "./tests/tf/mocks"
}

variables {
  name       = "tt-valid"
  vpc_id     = "vpc-0123456789abcdef0"
  subnet_ids = ["subnet-0aaaaaaaaaaaaaaaa", "subnet-0bbbbbbbbbbbbbbbb"]
  target_groups = {
    web = { port = 80 }
  }
  listeners = {
    http = { port = 80, default_action = { forward = { target_group_key = "web" } } }
  }
}

run "baseline_is_valid" {
  command = plan
}

run "name_too_long" {
  command = plan

  variables {
    name = "a-very-long-load-balancer-name-over-32"
  }

  expect_failures = [var.name]
}

run "name_bad_characters" {
  command = plan

  variables {
    name = "my_alb"
  }

  expect_failures = [var.name]
}

run "name_internal_prefix" {
  command = plan

  variables {
    name = "internal-alb"
  }

  expect_failures = [var.name]
}

run "one_subnet" {
  command = plan

  variables {
    subnet_ids = ["subnet-0aaaaaaaaaaaaaaaa"]
  }

  expect_failures = [var.subnet_ids]
}

run "listener_ports_unique" {
  command = plan

  variables {
    listeners = { a = { port = 80, default_action = { forward = { target_group_key = "web" } } }, b = { port = 80, default_action = { forward = { target_group_key = "web" } } } }
  }

  expect_failures = [var.listeners]
}

run "target_group_names_unique" {
  command = plan

  variables {
    target_groups = { web = { port = 80, name = "same" }, api = { port = 8080, name = "same" } }
  }

  expect_failures = [var.target_groups]
}

run "route53_type" {
  command = plan

  variables {
    route53_records = { app = { zone_id = "Z1", name = "app.example.com", type = "CNAME" } }
  }

  expect_failures = [var.route53_records]
}

run "route53_aaaa_needs_dualstack" {
  command = plan

  variables {
    route53_records = { app = { zone_id = "Z1", name = "app.example.com", type = "AAAA" } }
  }

  expect_failures = [var.route53_records]
}

run "waf_switch_without_arn" {
  command = plan

  variables {
    associate_web_acl = true
  }

  expect_failures = [var.web_acl_arn]
}

run "access_log_bucket_arn" {
  command = plan

  variables {
    access_logs = { bucket = "arn:aws:s3:::logs" }
  }

  expect_failures = [var.access_logs]
}

run "listener_baseline_is_valid" {
  command = plan

  module {
    source = "./modules/listener"
  }

  variables {
    load_balancer_arn = "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/tt/50dc6c495c0c9188"
    port              = 80
    default_action    = { forward = { target_group_key = "web" } }
    target_group_arns = { web = "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/tt/73e2d6bc24d8a067" }
  }
}

run "listener_port_out_of_range" {
  command = plan

  module {
    source = "./modules/listener"
  }

  variables {
    load_balancer_arn = "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/tt/50dc6c495c0c9188"
    port              = 65536
    default_action    = { forward = { target_group_key = "web" } }
    target_group_arns = { web = "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/tt/73e2d6bc24d8a067" }
  }

  expect_failures = [var.port]
}

run "listener_protocol" {
  command = plan

  module {
    source = "./modules/listener"
  }

  variables {
    load_balancer_arn = "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/tt/50dc6c495c0c9188"
    port              = 80
    default_action    = { forward = { target_group_key = "web" } }
    target_group_arns = { web = "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/tt/73e2d6bc24d8a067" }
    protocol          = "TCP"
  }

  expect_failures = [var.protocol]
}

run "https_without_certificate" {
  command = plan

  module {
    source = "./modules/listener"
  }

  variables {
    load_balancer_arn = "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/tt/50dc6c495c0c9188"
    port              = 80
    default_action    = { forward = { target_group_key = "web" } }
    target_group_arns = { web = "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/tt/73e2d6bc24d8a067" }
    protocol          = "HTTPS"
  }

  expect_failures = [var.certificate_arn]
}

run "http_with_certificate" {
  command = plan

  module {
    source = "./modules/listener"
  }

  variables {
    load_balancer_arn = "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/tt/50dc6c495c0c9188"
    port              = 80
    default_action    = { forward = { target_group_key = "web" } }
    target_group_arns = { web = "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/tt/73e2d6bc24d8a067" }
    certificate_arn   = "arn:aws:acm:us-east-1:123456789012:certificate/x"
  }

  expect_failures = [var.certificate_arn]
}

run "certificate_not_an_arn" {
  command = plan

  module {
    source = "./modules/listener"
  }

  variables {
    load_balancer_arn = "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/tt/50dc6c495c0c9188"
    port              = 80
    default_action    = { forward = { target_group_key = "web" } }
    target_group_arns = { web = "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/tt/73e2d6bc24d8a067" }
    protocol          = "HTTPS"
    certificate_arn   = "site-cert"
  }

  expect_failures = [var.certificate_arn]
}

run "ssl_policy_name" {
  command = plan

  module {
    source = "./modules/listener"
  }

  variables {
    load_balancer_arn = "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/tt/50dc6c495c0c9188"
    port              = 80
    default_action    = { forward = { target_group_key = "web" } }
    target_group_arns = { web = "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/tt/73e2d6bc24d8a067" }
    protocol          = "HTTPS"
    certificate_arn   = "arn:aws:acm:us-east-1:123456789012:certificate/x"
    ssl_policy        = "ELBSecurityPolicy-TLS13-1-2"
  }

  expect_failures = [var.ssl_policy]
}

run "no_default_action" {
  command = plan

  module {
    source = "./modules/listener"
  }

  variables {
    load_balancer_arn = "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/tt/50dc6c495c0c9188"
    port              = 80
    default_action    = null
    target_group_arns = { web = "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/tt/73e2d6bc24d8a067" }
  }

  expect_failures = [var.default_action]
}

run "rules_baseline_is_valid" {
  command = plan

  module {
    source = "./modules/listener-rules"
  }

  variables {
    listener_arn      = "arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/app/tt/50dc6c495c0c9188/f2f7dc8efc522ab2"
    target_group_arns = { web = "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/tt/73e2d6bc24d8a067" }
    rules             = { a = { priority = 1, conditions = { path_pattern = ["/a"] }, action = { forward = { target_group_key = "web" } } } }
    default_action    = { redirect = { protocol = "HTTPS" } }
  }
}

run "priority_zero" {
  command = plan

  module {
    source = "./modules/listener-rules"
  }

  variables {
    listener_arn      = "arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/app/tt/50dc6c495c0c9188/f2f7dc8efc522ab2"
    target_group_arns = { web = "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/tt/73e2d6bc24d8a067" }
    rules             = { a = { priority = 0, conditions = { path_pattern = ["/a"] }, action = { forward = { target_group_key = "web" } } } }
  }

  expect_failures = [var.rules]
}

run "priority_too_high" {
  command = plan

  module {
    source = "./modules/listener-rules"
  }

  variables {
    listener_arn      = "arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/app/tt/50dc6c495c0c9188/f2f7dc8efc522ab2"
    target_group_arns = { web = "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/tt/73e2d6bc24d8a067" }
    rules             = { a = { priority = 50001, conditions = { path_pattern = ["/a"] }, action = { forward = { target_group_key = "web" } } } }
  }

  expect_failures = [var.rules]
}

run "priority_null_is_guarded" {
  command = plan

  module {
    source = "./modules/listener-rules"
  }

  variables {
    listener_arn      = "arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/app/tt/50dc6c495c0c9188/f2f7dc8efc522ab2"
    target_group_arns = { web = "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/tt/73e2d6bc24d8a067" }
    rules             = { a = { priority = null, conditions = { path_pattern = ["/a"] }, action = { forward = { target_group_key = "web" } } } }
  }

  expect_failures = [var.rules]
}

run "priority_duplicate" {
  command = plan

  module {
    source = "./modules/listener-rules"
  }

  variables {
    listener_arn      = "arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/app/tt/50dc6c495c0c9188/f2f7dc8efc522ab2"
    target_group_arns = { web = "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/tt/73e2d6bc24d8a067" }
    rules             = { a = { priority = 10, conditions = { path_pattern = ["/a"] }, action = { forward = { target_group_key = "web" } } }, b = { priority = 10, conditions = { path_pattern = ["/b"] }, action = { forward = { target_group_key = "web" } } } }
  }

  expect_failures = [var.rules]
}

run "priority_reserved" {
  command = plan

  module {
    source = "./modules/listener-rules"
  }

  variables {
    listener_arn        = "arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/app/tt/50dc6c495c0c9188/f2f7dc8efc522ab2"
    target_group_arns   = { web = "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/tt/73e2d6bc24d8a067" }
    rules               = { a = { priority = 10, conditions = { path_pattern = ["/a"] }, action = { forward = { target_group_key = "web" } } } }
    reserved_priorities = [10, 20]
  }

  expect_failures = [var.rules]
}

run "no_condition" {
  command = plan

  module {
    source = "./modules/listener-rules"
  }

  variables {
    listener_arn      = "arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/app/tt/50dc6c495c0c9188/f2f7dc8efc522ab2"
    target_group_arns = { web = "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/tt/73e2d6bc24d8a067" }
    rules             = { a = { priority = 10, action = { forward = { target_group_key = "web" } } } }
  }

  expect_failures = [var.rules]
}

run "six_condition_values" {
  command = plan

  module {
    source = "./modules/listener-rules"
  }

  variables {
    listener_arn      = "arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/app/tt/50dc6c495c0c9188/f2f7dc8efc522ab2"
    target_group_arns = { web = "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/tt/73e2d6bc24d8a067" }
    rules             = { a = { priority = 10, conditions = { path_pattern = ["/a", "/b", "/c"], host_header = ["a.example.com", "b.example.com"], http_headers = { X-A = ["1"] } }, action = { forward = { target_group_key = "web" } } } }
  }

  expect_failures = [var.rules]
}

run "six_wildcards" {
  command = plan

  module {
    source = "./modules/listener-rules"
  }

  variables {
    listener_arn      = "arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/app/tt/50dc6c495c0c9188/f2f7dc8efc522ab2"
    target_group_arns = { web = "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/tt/73e2d6bc24d8a067" }
    rules             = { a = { priority = 10, conditions = { path_pattern = ["/*/*/*/*/*/*"] }, action = { forward = { target_group_key = "web" } } } }
  }

  expect_failures = [var.rules]
}

run "path_pattern_too_long" {
  command = plan

  module {
    source = "./modules/listener-rules"
  }

  variables {
    listener_arn      = "arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/app/tt/50dc6c495c0c9188/f2f7dc8efc522ab2"
    target_group_arns = { web = "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/tt/73e2d6bc24d8a067" }
    rules             = { a = { priority = 10, conditions = { path_pattern = ["/${join("", [for i in range(128) : "a"])}"] }, action = { forward = { target_group_key = "web" } } } }
  }

  expect_failures = [var.rules]
}

run "host_without_dot" {
  command = plan

  module {
    source = "./modules/listener-rules"
  }

  variables {
    listener_arn      = "arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/app/tt/50dc6c495c0c9188/f2f7dc8efc522ab2"
    target_group_arns = { web = "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/tt/73e2d6bc24d8a067" }
    rules             = { a = { priority = 10, conditions = { host_header = ["localhost"] }, action = { forward = { target_group_key = "web" } } } }
  }

  expect_failures = [var.rules]
}

run "header_name_host" {
  command = plan

  module {
    source = "./modules/listener-rules"
  }

  variables {
    listener_arn      = "arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/app/tt/50dc6c495c0c9188/f2f7dc8efc522ab2"
    target_group_arns = { web = "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/tt/73e2d6bc24d8a067" }
    rules             = { a = { priority = 10, conditions = { http_headers = { host = ["a.example.com"] } }, action = { forward = { target_group_key = "web" } } } }
  }

  expect_failures = [var.rules]
}

run "header_value_backslash" {
  command = plan

  module {
    source = "./modules/listener-rules"
  }

  variables {
    listener_arn      = "arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/app/tt/50dc6c495c0c9188/f2f7dc8efc522ab2"
    target_group_arns = { web = "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/tt/73e2d6bc24d8a067" }
    rules             = { a = { priority = 10, conditions = { http_headers = { X-A = ["a\\b"] } }, action = { forward = { target_group_key = "web" } } } }
  }

  expect_failures = [var.rules]
}

run "method_lower_case" {
  command = plan

  module {
    source = "./modules/listener-rules"
  }

  variables {
    listener_arn      = "arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/app/tt/50dc6c495c0c9188/f2f7dc8efc522ab2"
    target_group_arns = { web = "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/tt/73e2d6bc24d8a067" }
    rules             = { a = { priority = 10, conditions = { http_request_method = ["get"] }, action = { forward = { target_group_key = "web" } } } }
  }

  expect_failures = [var.rules]
}

run "query_value_too_long" {
  command = plan

  module {
    source = "./modules/listener-rules"
  }

  variables {
    listener_arn      = "arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/app/tt/50dc6c495c0c9188/f2f7dc8efc522ab2"
    target_group_arns = { web = "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/tt/73e2d6bc24d8a067" }
    rules             = { a = { priority = 10, conditions = { query_strings = [{ value = "${join("", [for i in range(129) : "q"])}" }] }, action = { forward = { target_group_key = "web" } } } }
  }

  expect_failures = [var.rules]
}

run "source_ip_not_a_cidr" {
  command = plan

  module {
    source = "./modules/listener-rules"
  }

  variables {
    listener_arn      = "arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/app/tt/50dc6c495c0c9188/f2f7dc8efc522ab2"
    target_group_arns = { web = "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/tt/73e2d6bc24d8a067" }
    rules             = { a = { priority = 10, conditions = { source_ip = ["10.0.0.300/32"] }, action = { forward = { target_group_key = "web" } } } }
  }

  expect_failures = [var.rules]
}

run "no_action" {
  command = plan

  module {
    source = "./modules/listener-rules"
  }

  variables {
    listener_arn      = "arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/app/tt/50dc6c495c0c9188/f2f7dc8efc522ab2"
    target_group_arns = { web = "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/tt/73e2d6bc24d8a067" }
    rules             = { a = { priority = 10, conditions = { path_pattern = ["/a"] } } }
  }

  expect_failures = [output.routing_table]
}

run "two_actions" {
  command = plan

  module {
    source = "./modules/listener-rules"
  }

  variables {
    listener_arn      = "arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/app/tt/50dc6c495c0c9188/f2f7dc8efc522ab2"
    target_group_arns = { web = "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/tt/73e2d6bc24d8a067" }
    default_action    = { forward = { target_group_key = "web" }, fixed_response = { status_code = "200" } }
  }

  expect_failures = [output.routing_table]
}

run "fixed_response_status_3xx" {
  command = plan

  module {
    source = "./modules/listener-rules"
  }

  variables {
    listener_arn      = "arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/app/tt/50dc6c495c0c9188/f2f7dc8efc522ab2"
    target_group_arns = { web = "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/tt/73e2d6bc24d8a067" }
    default_action    = { fixed_response = { status_code = "302" } }
  }

  expect_failures = [output.routing_table]
}

run "fixed_response_content_type" {
  command = plan

  module {
    source = "./modules/listener-rules"
  }

  variables {
    listener_arn      = "arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/app/tt/50dc6c495c0c9188/f2f7dc8efc522ab2"
    target_group_arns = { web = "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/tt/73e2d6bc24d8a067" }
    default_action    = { fixed_response = { status_code = "200", content_type = "image/png" } }
  }

  expect_failures = [output.routing_table]
}

run "fixed_response_body_bytes" {
  command = plan

  module {
    source = "./modules/listener-rules"
  }

  variables {
    listener_arn      = "arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/app/tt/50dc6c495c0c9188/f2f7dc8efc522ab2"
    target_group_arns = { web = "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/tt/73e2d6bc24d8a067" }
    default_action    = { fixed_response = { status_code = "200", message_body = join("", [for i in range(513) : "\u00e9"]) } }
  }

  expect_failures = [output.routing_table]
}

run "redirect_status" {
  command = plan

  module {
    source = "./modules/listener-rules"
  }

  variables {
    listener_arn      = "arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/app/tt/50dc6c495c0c9188/f2f7dc8efc522ab2"
    target_group_arns = { web = "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/tt/73e2d6bc24d8a067" }
    default_action    = { redirect = { protocol = "HTTPS", status_code = "HTTP_307" } }
  }

  expect_failures = [output.routing_table]
}

run "redirect_port" {
  command = plan

  module {
    source = "./modules/listener-rules"
  }

  variables {
    listener_arn      = "arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/app/tt/50dc6c495c0c9188/f2f7dc8efc522ab2"
    target_group_arns = { web = "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/tt/73e2d6bc24d8a067" }
    default_action    = { redirect = { port = "70000" } }
  }

  expect_failures = [output.routing_table]
}

run "redirect_path_relative" {
  command = plan

  module {
    source = "./modules/listener-rules"
  }

  variables {
    listener_arn      = "arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/app/tt/50dc6c495c0c9188/f2f7dc8efc522ab2"
    target_group_arns = { web = "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/tt/73e2d6bc24d8a067" }
    default_action    = { redirect = { path = "new" } }
  }

  expect_failures = [output.routing_table]
}

run "redirect_to_itself" {
  command = plan

  module {
    source = "./modules/listener-rules"
  }

  variables {
    listener_arn      = "arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/app/tt/50dc6c495c0c9188/f2f7dc8efc522ab2"
    target_group_arns = { web = "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/tt/73e2d6bc24d8a067" }
    default_action    = { redirect = {} }
  }

  expect_failures = [output.routing_table]
}

run "redirect_https_to_http" {
  command = plan

  module {
    source = "./modules/listener-rules"
  }

  variables {
    listener_arn      = "arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/app/tt/50dc6c495c0c9188/f2f7dc8efc522ab2"
    target_group_arns = { web = "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/tt/73e2d6bc24d8a067" }
    default_action    = { redirect = { protocol = "HTTP" } }
    listener_protocol = "HTTPS"
  }

  expect_failures = [output.routing_table]
}

run "redirect_same_url_on_known_listener" {
  command = plan

  module {
    source = "./modules/listener-rules"
  }

  variables {
    listener_arn      = "arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/app/tt/50dc6c495c0c9188/f2f7dc8efc522ab2"
    target_group_arns = { web = "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/tt/73e2d6bc24d8a067" }
    default_action    = { redirect = { protocol = "HTTPS", port = "443" } }
    listener_protocol = "HTTPS"
    listener_port     = 443
  }

  expect_failures = [output.routing_table]
}

run "weight_too_high" {
  command = plan

  module {
    source = "./modules/listener-rules"
  }

  variables {
    listener_arn      = "arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/app/tt/50dc6c495c0c9188/f2f7dc8efc522ab2"
    target_group_arns = { web = "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/tt/73e2d6bc24d8a067" }
    default_action    = { weighted_forward = { target_groups = { web = { weight = 1000 } } } }
  }

  expect_failures = [output.routing_table]
}

run "weighted_stickiness_duration" {
  command = plan

  module {
    source = "./modules/listener-rules"
  }

  variables {
    listener_arn      = "arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/app/tt/50dc6c495c0c9188/f2f7dc8efc522ab2"
    target_group_arns = { web = "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/tt/73e2d6bc24d8a067" }
    default_action    = { weighted_forward = { target_groups = { web = { weight = 1 } }, stickiness = { duration = 604801 } } }
  }

  expect_failures = [output.routing_table]
}

run "forward_to_unknown_target_group" {
  command = plan

  module {
    source = "./modules/listener-rules"
  }

  variables {
    listener_arn      = "arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/app/tt/50dc6c495c0c9188/f2f7dc8efc522ab2"
    target_group_arns = { web = "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/tt/73e2d6bc24d8a067" }
    default_action    = { forward = { target_group_key = "nope" } }
  }

  expect_failures = [output.routing_table]
}

run "weighted_forward_to_unknown_target_group" {
  command = plan

  module {
    source = "./modules/listener-rules"
  }

  variables {
    listener_arn      = "arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/app/tt/50dc6c495c0c9188/f2f7dc8efc522ab2"
    target_group_arns = { web = "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/tt/73e2d6bc24d8a067" }
    default_action    = { weighted_forward = { target_groups = { web = {}, nope = {} } } }
  }

  expect_failures = [output.routing_table]
}

run "target_group_baseline_is_valid" {
  command = plan

  module {
    source = "./modules/target-group"
  }

  variables {
    name   = "tt-valid-web"
    vpc_id = "vpc-0123456789abcdef0"
    port   = 80
  }
}

run "health_check_interval" {
  command = plan

  module {
    source = "./modules/target-group"
  }

  variables {
    name         = "tt-valid-web"
    vpc_id       = "vpc-0123456789abcdef0"
    port         = 80
    health_check = { interval = 4, timeout = 2 }
  }

  expect_failures = [var.health_check]
}

run "health_check_timeout_not_below_interval" {
  command = plan

  module {
    source = "./modules/target-group"
  }

  variables {
    name         = "tt-valid-web"
    vpc_id       = "vpc-0123456789abcdef0"
    port         = 80
    health_check = { interval = 10, timeout = 10 }
  }

  expect_failures = [var.health_check]
}

run "health_check_threshold" {
  command = plan

  module {
    source = "./modules/target-group"
  }

  variables {
    name         = "tt-valid-web"
    vpc_id       = "vpc-0123456789abcdef0"
    port         = 80
    health_check = { healthy_threshold = 11 }
  }

  expect_failures = [var.health_check]
}

run "health_check_matcher" {
  command = plan

  module {
    source = "./modules/target-group"
  }

  variables {
    name         = "tt-valid-web"
    vpc_id       = "vpc-0123456789abcdef0"
    port         = 80
    health_check = { matcher = "2xx" }
  }

  expect_failures = [var.health_check]
}

run "health_check_matcher_out_of_range" {
  command = plan

  module {
    source = "./modules/target-group"
  }

  variables {
    name         = "tt-valid-web"
    vpc_id       = "vpc-0123456789abcdef0"
    port         = 80
    health_check = { matcher = "200-599" }
  }

  expect_failures = [var.health_check]
}

run "health_check_grpc_matcher" {
  command = plan

  module {
    source = "./modules/target-group"
  }

  variables {
    name             = "tt-valid-web"
    vpc_id           = "vpc-0123456789abcdef0"
    port             = 80
    protocol_version = "GRPC"
    health_check     = { matcher = "200" }
  }

  expect_failures = [var.health_check]
}

run "health_check_port" {
  command = plan

  module {
    source = "./modules/target-group"
  }

  variables {
    name         = "tt-valid-web"
    vpc_id       = "vpc-0123456789abcdef0"
    port         = 80
    health_check = { port = "0" }
  }

  expect_failures = [var.health_check]
}

run "health_check_disabled" {
  command = plan

  module {
    source = "./modules/target-group"
  }

  variables {
    name         = "tt-valid-web"
    vpc_id       = "vpc-0123456789abcdef0"
    port         = 80
    health_check = { enabled = false }
  }

  expect_failures = [var.health_check]
}

run "target_group_port" {
  command = plan

  module {
    source = "./modules/target-group"
  }

  variables {
    name   = "tt-valid-web"
    vpc_id = "vpc-0123456789abcdef0"
    port   = 0
  }

  expect_failures = [var.port]
}

run "target_group_port_missing" {
  command = plan

  module {
    source = "./modules/target-group"
  }

  variables {
    name        = "tt-valid-web"
    vpc_id      = "vpc-0123456789abcdef0"
    port        = null
    target_type = "ip"
  }

  expect_failures = [var.port]
}

run "lambda_with_port" {
  command = plan

  module {
    source = "./modules/target-group"
  }

  variables {
    name        = "tt-valid-web"
    vpc_id      = "vpc-0123456789abcdef0"
    port        = 80
    target_type = "lambda"
  }

  expect_failures = [var.port]
}

run "target_group_name" {
  command = plan

  module {
    source = "./modules/target-group"
  }

  variables {
    name   = "-bad"
    vpc_id = "vpc-0123456789abcdef0"
    port   = 80
  }

  expect_failures = [var.name]
}

# The root module's default name "<name>-<key>" is checked here too.
run "default_target_group_name_too_long" {
  command = plan

  module {
    source = "./modules/target-group"
  }

  variables {
    name   = "a-load-balancer-name-of-30-chr-web"
    vpc_id = "vpc-0123456789abcdef0"
    port   = 80
  }

  expect_failures = [var.name]
}

run "stickiness_duration" {
  command = plan

  module {
    source = "./modules/target-group"
  }

  variables {
    name       = "tt-valid-web"
    vpc_id     = "vpc-0123456789abcdef0"
    port       = 80
    stickiness = { type = "lb_cookie", cookie_duration = 604801 }
  }

  expect_failures = [var.stickiness]
}

run "app_cookie_without_name" {
  command = plan

  module {
    source = "./modules/target-group"
  }

  variables {
    name       = "tt-valid-web"
    vpc_id     = "vpc-0123456789abcdef0"
    port       = 80
    stickiness = { type = "app_cookie" }
  }

  expect_failures = [var.stickiness]
}

run "app_cookie_reserved_name" {
  command = plan

  module {
    source = "./modules/target-group"
  }

  variables {
    name       = "tt-valid-web"
    vpc_id     = "vpc-0123456789abcdef0"
    port       = 80
    stickiness = { type = "app_cookie", cookie_name = "AWSALBAPP-0" }
  }

  expect_failures = [var.stickiness]
}

run "slow_start_range" {
  command = plan

  module {
    source = "./modules/target-group"
  }

  variables {
    name       = "tt-valid-web"
    vpc_id     = "vpc-0123456789abcdef0"
    port       = 80
    slow_start = 20
  }

  expect_failures = [var.slow_start]
}

run "slow_start_with_least_outstanding_requests" {
  command = plan

  module {
    source = "./modules/target-group"
  }

  variables {
    name                     = "tt-valid-web"
    vpc_id                   = "vpc-0123456789abcdef0"
    port                     = 80
    slow_start               = 30
    load_balancing_algorithm = "least_outstanding_requests"
  }

  expect_failures = [var.slow_start]
}

run "slow_start_with_weighted_random" {
  command = plan

  module {
    source = "./modules/target-group"
  }

  variables {
    name                     = "tt-valid-web"
    vpc_id                   = "vpc-0123456789abcdef0"
    port                     = 80
    slow_start               = 30
    load_balancing_algorithm = "weighted_random"
  }

  expect_failures = [var.slow_start]
}

run "anomaly_mitigation_needs_weighted_random" {
  command = plan

  module {
    source = "./modules/target-group"
  }

  variables {
    name                              = "tt-valid-web"
    vpc_id                            = "vpc-0123456789abcdef0"
    port                              = 80
    load_balancing_anomaly_mitigation = true
  }

  expect_failures = [var.load_balancing_anomaly_mitigation]
}

run "algorithm" {
  command = plan

  module {
    source = "./modules/target-group"
  }

  variables {
    name                     = "tt-valid-web"
    vpc_id                   = "vpc-0123456789abcdef0"
    port                     = 80
    load_balancing_algorithm = "random"
  }

  expect_failures = [var.load_balancing_algorithm]
}

run "instance_id_in_ip_group" {
  command = plan

  module {
    source = "./modules/target-group"
  }

  variables {
    name        = "tt-valid-web"
    vpc_id      = "vpc-0123456789abcdef0"
    port        = 80
    target_type = "ip"
    targets     = { a = { target_id = "i-0123456789abcdef0" } }
  }

  expect_failures = [aws_lb_target_group_attachment.this]
}

run "public_ip_outside_vpc" {
  command = plan

  module {
    source = "./modules/target-group"
  }

  variables {
    name        = "tt-valid-web"
    vpc_id      = "vpc-0123456789abcdef0"
    port        = 80
    target_type = "ip"
    targets     = { a = { target_id = "203.0.113.10", availability_zone = "all" } }
  }

  expect_failures = [aws_lb_target_group_attachment.this]
}

run "ip_outside_vpc_without_all" {
  command = plan

  module {
    source = "./modules/target-group"
  }

  variables {
    name            = "tt-valid-web"
    vpc_id          = "vpc-0123456789abcdef0"
    port            = 80
    target_type     = "ip"
    vpc_cidr_blocks = ["10.0.0.0/16"]
    targets         = { a = { target_id = "192.168.1.10" } }
  }

  expect_failures = [aws_lb_target_group_attachment.this]
}

run "ingress_cidr_ipv4" {
  command = plan

  module {
    source = "./modules/security-groups"
  }

  variables {
    name              = "tt-valid"
    vpc_id            = "vpc-0123456789abcdef0"
    ingress_cidr_ipv4 = ["10.0.0.0/33"]
  }

  expect_failures = [var.ingress_cidr_ipv4]
}

run "ingress_cidr_ipv6_in_ipv4_list" {
  command = plan

  module {
    source = "./modules/security-groups"
  }

  variables {
    name              = "tt-valid"
    vpc_id            = "vpc-0123456789abcdef0"
    ingress_cidr_ipv4 = ["2001:db8::/32"]
  }

  expect_failures = [var.ingress_cidr_ipv4]
}

run "existing_sgs_need_ids" {
  command = plan

  module {
    source = "./modules/security-groups"
  }

  variables {
    name                  = "tt-valid"
    vpc_id                = "vpc-0123456789abcdef0"
    create                = false
    alb_security_group_id = "sg-0aaaaaaaaaaaaaaaa"
  }

  expect_failures = [var.alb_security_group_id]
}

run "name_starting_with_sg" {
  command = plan

  module {
    source = "./modules/security-groups"
  }

  variables {
    name   = "sg-web"
    vpc_id = "vpc-0123456789abcdef0"
  }

  expect_failures = [var.name]
}

# ARNs are checked against the provider's region, read from its data source (the mock's says us-east-1); the
# bad-input cases prove the other new checks against the emulator.
run "certificate_of_another_region" {
  command = plan

  module {
    source = "./modules/listener"
  }

  variables {
    load_balancer_arn = "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/tt/50dc6c495c0c9188"
    port              = 443
    protocol          = "HTTPS"
    certificate_arn   = "arn:aws:acm:sa-east-1:123456789012:certificate/0f6b6bd8-7c7a-4d4b-9d57-1a2b3c4d5e6f"
    default_action    = { fixed_response = { status_code = "404" } }
  }

  expect_failures = [var.certificate_arn]
}

run "policy_added_by_the_caller" {
  command = plan

  module {
    source = "./modules/listener"
  }

  variables {
    load_balancer_arn       = "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/tt/50dc6c495c0c9188"
    port                    = 443
    protocol                = "HTTPS"
    certificate_arn         = "arn:aws:iam::123456789012:server-certificate/tt"
    ssl_policy              = "ELBSecurityPolicy-TLS13-1-2-2022-02"
    additional_ssl_policies = ["ELBSecurityPolicy-TLS13-1-2-2022-02"]
    default_action          = { fixed_response = { status_code = "404" } }
  }
}
