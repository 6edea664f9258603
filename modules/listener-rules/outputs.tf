output "rule_arns" {
  description = "Rule ARNs keyed by the rules map's keys."
  value       = { for k, r in aws_lb_listener_rule.this : k => r.arn }
}

output "priorities" {
  description = "The priorities these rules take, ascending (known at plan): pass them as reserved_priorities to other rules on the same listener."
  # sort() compares strings: zero-padding keeps the order numeric.
  value = [for s in sort([for r in values(var.rules) : format("%05d", r.priority) if r.priority != null]) : tonumber(s)]
}

output "default_action" {
  description = "The default action in the provider's shape ({type, target_group_arn, forward, redirect, fixed_response}), for the listener's default_action block; null without default_action."
  value       = var.default_action == null ? null : local.rendered[local.default_path]
}

output "routing_table" {
  description = "The rules in evaluation order (ascending priority): {priority, rule, conditions, action}; the default action last (priority null, rule \"default\") when default_action is set."
  value = concat(
    [for k in local.evaluation_order : {
      priority   = var.rules[k].priority
      rule       = k
      conditions = local.conditions[k]
      action     = local.summaries[local.rule_action_path[k]]
    }],
    var.default_action == null ? [] : [{
      priority   = null
      rule       = "default"
      conditions = {}
      action     = local.summaries[local.default_path]
    }],
  )

  # The action checks: default_action and the rules' actions are one kind of value, checked here once. Every
  # check reads only inputs known at plan, so a failure stops the plan before anything is created.
  precondition {
    condition     = length(local.action_problems.exactly_one) == 0
    error_message = "An action must set exactly one of forward, weighted_forward, redirect, fixed_response${local.caller}: ${join(", ", values(local.action_problems.exactly_one))}."
  }
  precondition {
    condition     = length(local.action_problems.unknown_target_group) == 0
    error_message = "Actions forward to unknown target group keys (known: ${join(", ", keys(var.target_group_arns))})${local.caller}: ${join(", ", values(local.action_problems.unknown_target_group))}."
  }
  precondition {
    condition     = length(local.action_problems.weighted_count) == 0
    error_message = "weighted_forward needs 1-5 target_groups${local.caller}: ${join(", ", values(local.action_problems.weighted_count))}."
  }
  precondition {
    condition     = length(local.action_problems.weight) == 0
    error_message = "weighted_forward weights must be integers 0-999${local.caller}: ${join(", ", values(local.action_problems.weight))}."
  }
  precondition {
    condition     = length(local.action_problems.stickiness_duration) == 0
    error_message = "weighted_forward.stickiness.duration must be 1-604800 seconds${local.caller}: ${join(", ", values(local.action_problems.stickiness_duration))}."
  }
  precondition {
    condition     = length(local.action_problems.fixed_status) == 0
    error_message = "fixed_response.status_code must be a 2XX, 4XX or 5XX code${local.caller}: ${join(", ", values(local.action_problems.fixed_status))}."
  }
  precondition {
    condition     = length(local.action_problems.fixed_content_type) == 0
    error_message = "fixed_response.content_type must be one of text/plain, text/css, text/html, application/javascript, application/json${local.caller}: ${join(", ", values(local.action_problems.fixed_content_type))}."
  }
  precondition {
    condition     = length(local.action_problems.fixed_body) == 0
    error_message = "fixed_response.message_body must be at most 1024 bytes${local.caller}: ${join(", ", values(local.action_problems.fixed_body))}."
  }
  precondition {
    condition     = length(local.action_problems.redirect_status) == 0
    error_message = "redirect.status_code must be HTTP_301 or HTTP_302${local.caller}: ${join(", ", values(local.action_problems.redirect_status))}."
  }
  precondition {
    condition     = length(local.action_problems.redirect_protocol) == 0
    error_message = "redirect.protocol must be HTTP, HTTPS or #{protocol}${local.caller}: ${join(", ", values(local.action_problems.redirect_protocol))}."
  }
  precondition {
    condition     = length(local.action_problems.redirect_port) == 0
    error_message = "redirect.port must be 1-65535 or #{port}${local.caller}: ${join(", ", values(local.action_problems.redirect_port))}."
  }
  precondition {
    condition     = length(local.action_problems.redirect_host) == 0
    error_message = "redirect.host must be 1-128 characters${local.caller}: ${join(", ", values(local.action_problems.redirect_host))}."
  }
  precondition {
    condition     = length(local.action_problems.redirect_path) == 0
    error_message = "redirect.path must start with \"/\" and be at most 128 characters${local.caller}: ${join(", ", values(local.action_problems.redirect_path))}."
  }
  precondition {
    condition     = length(local.action_problems.redirect_query) == 0
    error_message = "redirect.query must be at most 128 characters, without the leading \"?\"${local.caller}: ${join(", ", values(local.action_problems.redirect_query))}."
  }
  precondition {
    condition     = length(local.action_problems.redirect_host_form) == 0
    error_message = "redirect.host must be a host name (letters, digits, \".\", \"-\", wildcards and #{host}), without a scheme, path, port or query${local.caller}: ${join(", ", values(local.action_problems.redirect_host_form))}."
  }
  precondition {
    condition     = length(local.action_problems.redirect_keep_port) == 0
    error_message = "A redirect that switches the protocol must switch the port too: HTTPS on port 80, HTTP on port 443 and the other protocol on this listener's own port reach no listener (set redirect.port, e.g. \"443\" for HTTPS)${local.caller}: ${join(", ", values(local.action_problems.redirect_keep_port))}."
  }
  precondition {
    condition     = length(local.action_problems.redirect_self) == 0
    error_message = "A redirect must not send the request back to where it came from: with #{...} filled in, same protocol, host and port, and a path the same rule matches again first (for a default action: a path no rule matches, so it falls to the default action again)${local.caller}: ${join(", ", values(local.action_problems.redirect_self))}."
  }
  precondition {
    condition     = length(local.action_problems.protocol_version) == 0
    error_message = "Target groups with protocol_version HTTP2 or GRPC take requests from HTTPS listeners only${local.caller}: ${join(", ", values(local.action_problems.protocol_version))}."
  }
  precondition {
    condition     = length(local.action_problems.redirect_loop) == 0
    error_message = "A redirect must change the protocol, host, port or path, or it redirects to itself${local.caller}: ${join(", ", values(local.action_problems.redirect_loop))}."
  }
  precondition {
    condition     = length(local.action_problems.https_to_http) == 0
    error_message = "An HTTPS listener cannot redirect to HTTP (HTTP to HTTP, HTTP to HTTPS and HTTPS to HTTPS are allowed)${local.caller}: ${join(", ", values(local.action_problems.https_to_http))}."
  }
}
