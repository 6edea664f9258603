# Bad input fails at plan with a validation or precondition naming the field; nothing is created.
mock_provider "aws" {
  source = "./tests/tf/mocks"
}

variables {
  name       = "tt-valid"
  vpc_id     = "vpc-0123456789abcdef0"
  subnet_ids = ["subnet-a", "subnet-b"]
  target_groups = {
    web = { port = 80 }
  }
  listeners = {
    http = { port = 80, default_action = { forward = { target_group_key = "web" } } }
  }
}

# The baseline must plan cleanly, or every expect_failures below would prove nothing.
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
    subnet_ids = ["subnet-a"]
  }

  expect_failures = [var.subnet_ids]
}

run "listener_port_out_of_range" {
  command = plan

  variables {
    listeners = { http = { port = 65536, default_action = { forward = { target_group_key = "web" } } } }
  }

  expect_failures = [var.listeners]
}

run "listener_protocol" {
  command = plan

  variables {
    listeners = { tcp = { port = 80, protocol = "TCP", default_action = { forward = { target_group_key = "web" } } } }
  }

  expect_failures = [var.listeners]
}

run "listener_ports_unique" {
  command = plan

  variables {
    listeners = { a = { port = 80, default_action = { forward = { target_group_key = "web" } } }, b = { port = 80, default_action = { forward = { target_group_key = "web" } } } }
  }

  expect_failures = [var.listeners]
}

run "https_without_certificate" {
  command = plan

  variables {
    listeners = { https = { port = 443, protocol = "HTTPS", default_action = { forward = { target_group_key = "web" } } } }
  }

  expect_failures = [var.listeners]
}

run "http_with_certificate" {
  command = plan

  variables {
    listeners = { http = { port = 80, certificate_arn = "arn:aws:acm:us-east-1:123456789012:certificate/x", default_action = { forward = { target_group_key = "web" } } } }
  }

  expect_failures = [var.listeners]
}

run "priority_zero" {
  command = plan

  variables {
    listeners = { http = { port = 80, default_action = { forward = { target_group_key = "web" } }, rules = { a = { priority = 0, conditions = { path_pattern = ["/a"] }, action = { forward = { target_group_key = "web" } } } } } }
  }

  expect_failures = [var.listeners]
}

run "priority_too_high" {
  command = plan

  variables {
    listeners = { http = { port = 80, default_action = { forward = { target_group_key = "web" } }, rules = { a = { priority = 50001, conditions = { path_pattern = ["/a"] }, action = { forward = { target_group_key = "web" } } } } } }
  }

  expect_failures = [var.listeners]
}

run "priority_null_is_guarded" {
  command = plan

  variables {
    listeners = { http = { port = 80, default_action = { forward = { target_group_key = "web" } }, rules = { a = { priority = null, conditions = { path_pattern = ["/a"] }, action = { forward = { target_group_key = "web" } } } } } }
  }

  expect_failures = [var.listeners]
}

run "priority_duplicate" {
  command = plan

  variables {
    listeners = { http = { port = 80, default_action = { forward = { target_group_key = "web" } }, rules = { a = { priority = 10, conditions = { path_pattern = ["/a"] }, action = { forward = { target_group_key = "web" } } }, b = { priority = 10, conditions = { path_pattern = ["/b"] }, action = { forward = { target_group_key = "web" } } } } } }
  }

  expect_failures = [var.listeners]
}

run "no_condition" {
  command = plan

  variables {
    listeners = { http = { port = 80, default_action = { forward = { target_group_key = "web" } }, rules = { a = { priority = 10, action = { forward = { target_group_key = "web" } } } } } }
  }

  expect_failures = [var.listeners]
}

run "six_condition_values" {
  command = plan

  variables {
    listeners = { http = { port = 80, default_action = { forward = { target_group_key = "web" } }, rules = { a = { priority = 10, conditions = { path_pattern = ["/a", "/b", "/c"], host_header = ["a.example.com", "b.example.com"], http_headers = { X-A = ["1"] } }, action = { forward = { target_group_key = "web" } } } } } }
  }

  expect_failures = [var.listeners]
}

run "path_pattern_too_long" {
  command = plan

  variables {
    listeners = { http = { port = 80, default_action = { forward = { target_group_key = "web" } }, rules = { a = { priority = 10, conditions = { path_pattern = ["/${join("", [for i in range(128) : "a"])}"] }, action = { forward = { target_group_key = "web" } } } } } }
  }

  expect_failures = [var.listeners]
}

run "source_ip_not_a_cidr" {
  command = plan

  variables {
    listeners = { http = { port = 80, default_action = { forward = { target_group_key = "web" } }, rules = { a = { priority = 10, conditions = { source_ip = ["10.0.0.300/32"] }, action = { forward = { target_group_key = "web" } } } } } }
  }

  expect_failures = [var.listeners]
}

run "no_action" {
  command = plan

  variables {
    listeners = { http = { port = 80, default_action = { forward = { target_group_key = "web" } }, rules = { a = { priority = 10, conditions = { path_pattern = ["/a"] } } } } }
  }

  expect_failures = [var.listeners]
}

run "two_actions" {
  command = plan

  variables {
    listeners = { http = { port = 80, default_action = { forward = { target_group_key = "web" }, fixed_response = { status_code = "200" } } } }
  }

  expect_failures = [var.listeners]
}

run "fixed_response_status_3xx" {
  command = plan

  variables {
    listeners = { http = { port = 80, default_action = { fixed_response = { status_code = "302" } } } }
  }

  expect_failures = [var.listeners]
}

run "fixed_response_content_type" {
  command = plan

  variables {
    listeners = { http = { port = 80, default_action = { fixed_response = { status_code = "200", content_type = "image/png" } } } }
  }

  expect_failures = [var.listeners]
}

run "fixed_response_body_bytes" {
  command = plan

  variables {
    listeners = { http = { port = 80, default_action = { fixed_response = { status_code = "200", message_body = join("", [for i in range(513) : "\u00e9"]) } } } }
  }

  expect_failures = [var.listeners]
}

run "redirect_status" {
  command = plan

  variables {
    listeners = { http = { port = 80, default_action = { redirect = { protocol = "HTTPS", status_code = "HTTP_307" } } } }
  }

  expect_failures = [var.listeners]
}

run "redirect_port" {
  command = plan

  variables {
    listeners = { http = { port = 80, default_action = { redirect = { port = "70000" } } } }
  }

  expect_failures = [var.listeners]
}

run "weight_too_high" {
  command = plan

  variables {
    listeners = { http = { port = 80, default_action = { weighted_forward = { target_groups = { web = { weight = 1000 } } } } } }
  }

  expect_failures = [var.listeners]
}

run "weighted_stickiness_duration" {
  command = plan

  variables {
    listeners = { http = { port = 80, default_action = { weighted_forward = { target_groups = { web = { weight = 1 } }, stickiness = { duration = 604801 } } } } }
  }

  expect_failures = [var.listeners]
}

run "health_check_interval" {
  command = plan

  variables {
    target_groups = { web = { port = 80, health_check = { interval = 4, timeout = 2 } } }
  }

  expect_failures = [var.target_groups]
}

run "health_check_timeout_not_below_interval" {
  command = plan

  variables {
    target_groups = { web = { port = 80, health_check = { interval = 10, timeout = 10 } } }
  }

  expect_failures = [var.target_groups]
}

run "health_check_threshold" {
  command = plan

  variables {
    target_groups = { web = { port = 80, health_check = { healthy_threshold = 11 } } }
  }

  expect_failures = [var.target_groups]
}

run "health_check_matcher" {
  command = plan

  variables {
    target_groups = { web = { port = 80, health_check = { matcher = "2xx" } } }
  }

  expect_failures = [var.target_groups]
}

run "health_check_port" {
  command = plan

  variables {
    target_groups = { web = { port = 80, health_check = { port = "0" } } }
  }

  expect_failures = [var.target_groups]
}

run "target_group_port" {
  command = plan

  variables {
    target_groups = { web = { port = 0 } }
  }

  expect_failures = [var.target_groups]
}

run "target_group_port_missing" {
  command = plan

  variables {
    target_groups = { web = { target_type = "ip" } }
  }

  expect_failures = [var.target_groups]
}

run "lambda_with_port" {
  command = plan

  variables {
    target_groups = { web = { target_type = "lambda", port = 80 } }
  }

  expect_failures = [var.target_groups]
}

run "target_group_name" {
  command = plan

  variables {
    target_groups = { web = { port = 80, name = "-bad" } }
  }

  expect_failures = [var.target_groups]
}

run "stickiness_duration" {
  command = plan

  variables {
    target_groups = { web = { port = 80, stickiness = { type = "lb_cookie", cookie_duration = 604801 } } }
  }

  expect_failures = [var.target_groups]
}

run "app_cookie_without_name" {
  command = plan

  variables {
    target_groups = { web = { port = 80, stickiness = { type = "app_cookie" } } }
  }

  expect_failures = [var.target_groups]
}

run "slow_start_range" {
  command = plan

  variables {
    target_groups = { web = { port = 80, slow_start = 20 } }
  }

  expect_failures = [var.target_groups]
}

run "slow_start_with_least_outstanding_requests" {
  command = plan

  variables {
    target_groups = { web = { port = 80, slow_start = 30, load_balancing_algorithm = "least_outstanding_requests" } }
  }

  expect_failures = [var.target_groups]
}

run "slow_start_with_weighted_random" {
  command = plan

  variables {
    target_groups = { web = { port = 80, slow_start = 30, load_balancing_algorithm = "weighted_random" } }
  }

  expect_failures = [var.target_groups]
}

run "anomaly_mitigation_needs_weighted_random" {
  command = plan

  variables {
    target_groups = { web = { port = 80, load_balancing_anomaly_mitigation = true } }
  }

  expect_failures = [var.target_groups]
}

run "algorithm" {
  command = plan

  variables {
    target_groups = { web = { port = 80, load_balancing_algorithm = "random" } }
  }

  expect_failures = [var.target_groups]
}

run "ingress_cidr_ipv4" {
  command = plan

  variables {
    security_groups = { ingress_cidr_ipv4 = ["10.0.0.0/33"] }
  }

  expect_failures = [var.security_groups]
}

run "ingress_cidr_ipv6_in_ipv4_list" {
  command = plan

  variables {
    security_groups = { ingress_cidr_ipv4 = ["2001:db8::/32"] }
  }

  expect_failures = [var.security_groups]
}

run "existing_sgs_need_ids" {
  command = plan

  variables {
    security_groups = { create = false, alb_security_group_id = "sg-1" }
  }

  expect_failures = [var.security_groups]
}

run "route53_type" {
  command = plan

  variables {
    route53_records = { app = { zone_id = "Z1", name = "app.example.com", type = "CNAME" } }
  }

  expect_failures = [var.route53_records]
}

run "forward_to_unknown_target_group" {
  command = plan

  variables {
    listeners = { http = { port = 80, default_action = { forward = { target_group_key = "nope" } } } }
  }

  expect_failures = [aws_lb.this]
}

run "weighted_forward_to_unknown_target_group" {
  command = plan

  variables {
    listeners = { http = { port = 80, default_action = { weighted_forward = { target_groups = { web = {}, nope = {} } } } } }
  }

  expect_failures = [aws_lb.this]
}

run "target_group_names_unique" {
  command = plan

  variables {
    target_groups = { web = { port = 80, name = "same" }, api = { port = 8080, name = "same" } }
  }

  expect_failures = [aws_lb.this]
}

# The default name "<name>-<key>" is checked by the target-group module itself.
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

run "target_group_module_slow_start_with_weighted_random" {
  command = plan

  module {
    source = "./modules/target-group"
  }

  variables {
    name                     = "tt-valid-tg"
    vpc_id                   = "vpc-0123456789abcdef0"
    port                     = 80
    slow_start               = 30
    load_balancing_algorithm = "weighted_random"
  }

  expect_failures = [aws_lb_target_group.this]
}

run "listener_rules_module_unknown_target_group" {
  command = plan

  module {
    source = "./modules/listener-rules"
  }

  variables {
    listener_arn      = "arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/app/tt/50dc6c495c0c9188/f2f7dc8efc522ab2"
    target_group_arns = { web = "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/tt/73e2d6bc24d8a067" }
    rules = {
      a = { priority = 1, conditions = { path_pattern = ["/a"] }, action = { forward = { target_group_key = "api" } } }
    }
  }

  expect_failures = [aws_lb_listener_rule.this]
}

run "listener_rules_module_priority_unique" {
  command = plan

  module {
    source = "./modules/listener-rules"
  }

  variables {
    listener_arn      = "arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/app/tt/50dc6c495c0c9188/f2f7dc8efc522ab2"
    target_group_arns = { web = "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/tt/73e2d6bc24d8a067" }
    rules = {
      a = { priority = 5, conditions = { path_pattern = ["/a"] }, action = { forward = { target_group_key = "web" } } }
      b = { priority = 5, conditions = { path_pattern = ["/b"] }, action = { forward = { target_group_key = "web" } } }
    }
  }

  expect_failures = [var.rules]
}

run "waf_switch_without_arn" {
  command = plan

  variables {
    associate_web_acl = true
  }

  expect_failures = [aws_lb.this]
}
