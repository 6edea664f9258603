# Listener rules: keys "<listener>/<rule>", every condition and action type, and the routing table's order.
mock_provider "aws" {
  source = "./tests/tf/mocks"
}

variables {
  name       = "tt-rules"
  vpc_id     = "vpc-0123456789abcdef0"
  subnet_ids = ["subnet-0aaaaaaaaaaaaaaaa", "subnet-0bbbbbbbbbbbbbbbb"]
  target_groups = {
    blue  = { port = 80 }
    green = { port = 8080 }
  }
  listeners = {
    http = {
      port           = 80
      default_action = { redirect = { protocol = "HTTPS", port = "443" } }
      rules = {
        # Priorities out of input order and lexically misleading (100 < 20 as strings).
        late    = { priority = 100, conditions = { path_pattern = ["/late/*"] }, action = { forward = { target_group_key = "green" } } }
        middle  = { priority = 20, conditions = { host_header = ["m.example.com"] }, action = { forward = { target_group_key = "blue" } } }
        first   = { priority = 3, conditions = { http_request_method = ["DELETE"] }, action = { fixed_response = { status_code = "405", message_body = "no" } } }
        headers = { priority = 7, conditions = { http_headers = { X-A = ["1"], X-B = ["2", "3"] } }, action = { redirect = { host = "other.example.com", status_code = "HTTP_302" } } }
      }
    }
    alt = {
      port           = 8000
      default_action = { weighted_forward = { target_groups = { blue = { weight = 90 }, green = { weight = 10 } } } }
      rules = {
        canary = {
          priority   = 1
          conditions = { query_strings = [{ key = "v", value = "2" }, { value = "beta" }], source_ip = ["10.0.0.0/8"] }
          action = { weighted_forward = {
            target_groups = { blue = { weight = 0 }, green = { weight = 999 } }
            stickiness    = { duration = 600 }
          } }
        }
      }
    }
  }
}

run "rule_keys" {
  command = apply

  assert {
    condition     = keys(output.rule_arns) == ["alt/canary", "http/first", "http/headers", "http/late", "http/middle"]
    error_message = "rule_arns must be keyed \"<listener>/<rule>\": ${jsonencode(keys(output.rule_arns))}."
  }
}

run "routing_table_order" {
  command = plan

  assert {
    condition     = [for r in output.routing_table["http"] : r.rule] == ["first", "headers", "middle", "late", "default"]
    error_message = "Rules must be listed by numeric priority, default last: ${jsonencode([for r in output.routing_table["http"] : r.rule])}."
  }
  assert {
    condition     = [for r in output.routing_table["http"] : r.priority] == [3, 7, 20, 100, null]
    error_message = "Priorities in the routing table must be numbers, null for the default."
  }
  assert {
    # jsonencode: a list(string) never equals a tuple literal, their JSON does.
    condition     = jsonencode(output.routing_table["http"][2].conditions) == jsonencode({ host_header = ["m.example.com"] })
    error_message = "Only the conditions a rule sets may appear: ${jsonencode(output.routing_table["http"][2].conditions)}."
  }
  assert {
    condition = (output.routing_table["http"][0].action.type == "fixed_response"
      && output.routing_table["http"][0].action.status_code == "405"
      && output.routing_table["http"][4].action.type == "redirect"
    && output.routing_table["http"][4].action.protocol == "HTTPS")
    error_message = "Actions must be rendered with their type and fields."
  }
  assert {
    condition = (jsonencode(output.routing_table["alt"][0].action.target_groups) == jsonencode({ blue = 0, green = 999 })
      && jsonencode(output.routing_table["alt"][1].action) == jsonencode(
    { type = "weighted_forward", target_groups = { blue = 90, green = 10 }, stickiness = null }))
    error_message = "Weighted forwards must list their weights by target-group key."
  }
}

run "rule_priorities" {
  command = plan

  assert {
    condition     = output.rule_priorities == { alt = [1], http = [3, 7, 20, 100] }
    error_message = "rule_priorities must list each listener's priorities, ascending: ${jsonencode(output.rule_priorities)}."
  }
}

run "weighted_default_action" {
  command = plan

  module {
    source = "./modules/listener"
  }

  variables {
    load_balancer_arn = "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/tt/50dc6c495c0c9188"
    port              = 8000
    target_group_arns = { blue = "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/blue/73e2d6bc24d8a067", green = "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/green/73e2d6bc24d8a067" }
    default_action    = { weighted_forward = { target_groups = { blue = { weight = 90 }, green = { weight = 10 } } } }
  }

  assert {
    condition = (length(aws_lb_listener.this.default_action[0].forward[0].target_group) == 2
    && aws_lb_listener.this.default_action[0].type == "forward" && aws_lb_listener.this.default_action[0].target_group_arn == null)
    error_message = "A weighted default action forwards to both groups through a forward block."
  }
}
