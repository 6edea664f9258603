# Names and keys that let a change replace what a listener uses without an error for live traffic: a target group
# whose replacement-forcing fields change gets a new name (so it can be created beside the old one), other changes
# keep it; exact_name opts out; security-group rules to IP targets are keyed by port.
mock_provider "aws" {
  source = "./tests/tf/mocks"
}

variables {
  name   = "tt-replace-web"
  vpc_id = "vpc-0123456789abcdef0"
  port   = 80
}

run "name_default" {
  command = plan

  module {
    source = "./modules/target-group"
  }

  assert {
    condition     = can(regex("^tt-replace-web-[0-9a-f]{4}$", output.name))
    error_message = "The name must be \"<name>-<4 hex digits>\", got ${output.name}."
  }
}

run "name_changes_with_port" {
  command = plan

  module {
    source = "./modules/target-group"
  }

  variables {
    port = 8080
  }

  assert {
    condition     = output.name != run.name_default.name && startswith(output.name, "tt-replace-web-")
    error_message = "A new port replaces the group, so it needs a new name: ${output.name}."
  }
}

run "name_changes_with_protocol_and_type" {
  command = plan

  module {
    source = "./modules/target-group"
  }

  variables {
    protocol    = "HTTPS"
    target_type = "ip"
  }

  assert {
    condition     = output.name != run.name_default.name && output.name != run.name_changes_with_port.name
    error_message = "A new protocol or target type replaces the group, so it needs a new name: ${output.name}."
  }
}

run "name_kept_by_in_place_changes" {
  command = plan

  module {
    source = "./modules/target-group"
  }

  variables {
    health_check         = { path = "/health", interval = 10 }
    deregistration_delay = 30
    tags                 = { Release = "2" }
  }

  assert {
    condition     = output.name == run.name_default.name
    error_message = "A change made in place must keep the name (a new name would replace the group)."
  }
}

run "long_name_fits_32" {
  command = plan

  module {
    source = "./modules/target-group"
  }

  variables {
    name = "abcdefghijklmnopqrstuvwxyz-tail"
  }

  assert {
    condition     = length(output.name) <= 32 && can(regex("^abcdefghijklmnopqrstuvwxyz-[0-9a-f]{4}$", output.name))
    error_message = "The name must be cut to leave room for the suffix (no hyphen before it), got ${output.name}."
  }
}

run "exact_name" {
  command = plan

  module {
    source = "./modules/target-group"
  }

  variables {
    exact_name = true
    port       = 8080
  }

  assert {
    condition     = output.name == "tt-replace-web"
    error_message = "exact_name must keep the name as given, got ${output.name}."
  }
}

run "ip_target_rules_keyed_by_port" {
  command = plan

  module {
    source = "./modules/security-groups"
  }

  variables {
    name           = "tt-replace"
    listener_ports = [80]
    target_ports   = [80]
    ip_targets = {
      "desktop/onprem" = { ip = "192.168.50.10", port = 80, health_check_port = 8081 }
      "report/onprem"  = { ip = "192.168.50.11", port = 8080, health_check_port = null }
    }
  }

  assert {
    condition     = jsonencode(sort(keys(aws_vpc_security_group_egress_rule.alb_to_ip_targets))) == jsonencode(["desktop/onprem/80", "desktop/onprem/8081", "report/onprem/8080"])
    error_message = "Rules to IP targets must be keyed by target and port, got ${jsonencode(keys(aws_vpc_security_group_egress_rule.alb_to_ip_targets))}."
  }
  assert {
    condition     = aws_vpc_security_group_egress_rule.alb_to_ip_targets["desktop/onprem/8081"].from_port == 8081
    error_message = "The health-check port must get its own rule."
  }
}
