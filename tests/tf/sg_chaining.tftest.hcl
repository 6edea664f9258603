# Security-group chaining: the ALB SG reaches the target SG only on the target groups' ports (traffic and
# health-check, deduplicated), the target SG admits only the ALB SG, on-premises IPs get per-target rules.
mock_provider "aws" {
  source = "./tests/tf/mocks"
}

variables {
  name       = "tt-chain"
  vpc_id     = "vpc-0123456789abcdef0"
  subnet_ids = ["subnet-0aaaaaaaaaaaaaaaa", "subnet-0bbbbbbbbbbbbbbbb"]
  security_groups = {
    ingress_cidr_ipv4 = ["203.0.113.0/24"]
    ingress_cidr_ipv6 = ["2001:db8::/32"]
  }
  target_groups = {
    web = { port = 80, targets = { a = { target_id = "i-0123456789abcdef1" } } }
    # Same port as web: must not add a rule.
    admin = { port = 80, health_check = { port = "traffic-port" } }
    # Health check on its own port: both ports opened.
    api = { port = 8080, health_check = { port = "8081" } }
    # A target registered on another port than the TG's.
    odd = { port = 9000, targets = { x = { target_id = "i-0123456789abcdef2", port = 9001 } } }
    onprem = {
      target_type = "ip"
      port        = 80
      targets = {
        dc1 = { target_id = "192.168.50.10", availability_zone = "all" }
        dc2 = { target_id = "192.168.50.11", port = 8443, availability_zone = "all" }
        # Inside the VPC: reached through the target SG, no per-IP rule.
        vpc = { target_id = "10.0.1.5" }
      }
    }
    fn = { target_type = "lambda", targets = { f = { target_id = "arn:aws:lambda:us-east-1:123456789012:function:f" } } }
  }
  listeners = {
    http = { port = 80, default_action = { forward = { target_group_key = "web" } } }
    alt  = { port = 8000, default_action = { forward = { target_group_key = "api" } } }
  }
}

run "ports_per_target_group_deduplicated" {
  command = plan

  assert {
    condition     = keys(module.security_groups.target_ingress_rule_ids) == ["80", "8080", "8081", "8443", "9000", "9001"]
    error_message = "Target SG ingress must be keyed by port, once per port: ${jsonencode(keys(module.security_groups.target_ingress_rule_ids))}."
  }
  assert {
    condition = keys(module.security_groups.alb_egress_rule_ids) == [
      "80", "8080", "8081", "8443", "9000", "9001", "onprem/dc1/80", "onprem/dc2/8443",
    ]
    error_message = "ALB egress: one rule per target port plus one per on-premises IP target: ${jsonencode(keys(module.security_groups.alb_egress_rule_ids))}."
  }
  assert {
    condition = keys(module.security_groups.alb_ingress_rule_ids) == [
      "80/2001:db8::/32", "80/203.0.113.0/24", "8000/2001:db8::/32", "8000/203.0.113.0/24",
    ]
    error_message = "ALB ingress: each listener port from each CIDR: ${jsonencode(keys(module.security_groups.alb_ingress_rule_ids))}."
  }
}

run "security_group_module_rules" {
  command = apply

  module {
    source = "./modules/security-groups"
  }

  variables {
    name              = "tt-chain-sg"
    listener_ports    = [443]
    target_ports      = [80, 8081]
    ingress_cidr_ipv4 = ["0.0.0.0/0"]
    ip_targets = {
      "onprem/dc1" = { ip = "192.168.50.10", port = 80, health_check_port = 8081 }
      "onprem/v6"  = { ip = "2001:db8::10", port = 80 }
    }
  }

  assert {
    condition = alltrue([for r in values(aws_vpc_security_group_ingress_rule.targets_from_alb) :
      r.referenced_security_group_id == aws_security_group.alb[0].id && r.cidr_ipv4 == null && r.cidr_ipv6 == null
    && r.prefix_list_id == null && r.security_group_id == aws_security_group.targets[0].id])
    error_message = "Target SG ingress must come only from the ALB SG."
  }
  assert {
    condition = alltrue([for r in values(aws_vpc_security_group_egress_rule.alb_to_targets) :
    r.referenced_security_group_id == aws_security_group.targets[0].id && r.cidr_ipv4 == null])
    error_message = "ALB SG egress must go only to the target SG."
  }
  assert {
    condition = (aws_vpc_security_group_egress_rule.alb_to_ip_targets["onprem/dc1/80"].cidr_ipv4 == "192.168.50.10/32"
      && aws_vpc_security_group_egress_rule.alb_to_ip_targets["onprem/dc1/8081"].from_port == 8081
    && aws_vpc_security_group_egress_rule.alb_to_ip_targets["onprem/v6/80"].cidr_ipv6 == "2001:db8::10/128")
    error_message = "On-premises IP targets need /32 (/128) egress rules on the traffic and health-check ports."
  }
  assert {
    condition     = [for r in values(aws_vpc_security_group_ingress_rule.alb) : "${r.from_port}/${r.cidr_ipv4}"] == ["443/0.0.0.0/0"]
    error_message = "ALB ingress must be exactly the listener port from the configured CIDR."
  }
  assert {
    condition     = alltrue([for r in values(aws_vpc_security_group_ingress_rule.targets_from_alb) : r.description == null])
    error_message = "SG-referencing rules must carry no description (moto drops it: perpetual diff)."
  }
}

run "existing_security_groups" {
  command = plan

  variables {
    security_groups = {
      create                   = false
      alb_security_group_id    = "sg-0aaaaaaaaaaaaaaaa"
      target_security_group_id = "sg-0bbbbbbbbbbbbbbbb"
    }
  }

  assert {
    condition     = output.security_group_ids == { alb = "sg-0aaaaaaaaaaaaaaaa", targets = "sg-0bbbbbbbbbbbbbbbb" }
    error_message = "Existing SG IDs must be used as given."
  }
  assert {
    condition     = contains(aws_lb.this.security_groups, "sg-0aaaaaaaaaaaaaaaa")
    error_message = "The ALB must use the existing ALB SG."
  }
}

run "rules_left_to_the_caller" {
  command = plan

  variables {
    security_groups = { create_rules = false }
  }

  assert {
    condition = (length(module.security_groups.alb_ingress_rule_ids) == 0 && length(module.security_groups.alb_egress_rule_ids) == 0
    && length(module.security_groups.target_ingress_rule_ids) == 0)
    error_message = "create_rules = false must create no SG rules."
  }
}

run "no_listeners_no_ingress" {
  command = plan

  variables {
    listeners = {}
  }

  assert {
    condition     = length(module.security_groups.alb_ingress_rule_ids) == 0 && length(output.routing_table) == 0
    error_message = "Without listeners nothing is opened on the ALB SG."
  }
}
