locals {
  path   = var.error_context.path
  caller = var.error_context.caller == "" ? "" : " (${var.error_context.caller})"

  # Every action this module checks and renders, keyed by the field path the caller wrote: the default action
  # and the rules' actions are one kind of value, so they are checked in one place (the preconditions below).
  actions = merge(
    var.default_action == null ? {} : { "${local.path}default_action" = var.default_action },
    { for k, r in var.rules : "${local.path}rules[\"${k}\"].action" => r.action },
  )
  rule_action_path = { for k, r in var.rules : k => "${local.path}rules[\"${k}\"].action" }
  default_path     = "${local.path}default_action"

  # A redirect loops when it leaves protocol, host, port and path as they are (the query does not count).
  redirect_loops = {
    for p, a in local.actions : p => a.redirect == null ? false : (
      contains(compact(["#{protocol}", var.listener_protocol]), a.redirect.protocol)
      && contains(compact(["#{port}", var.listener_port == null ? "" : tostring(var.listener_port)]), a.redirect.port)
      && a.redirect.host == "#{host}" && a.redirect.path == "/#{path}"
    )
  }

  # Where a redirect sends the request, with #{protocol} and #{port} replaced by the listener's (null: not known).
  redirect_to = {
    for p, a in local.actions : p => {
      protocol = a.redirect.protocol == "#{protocol}" ? var.listener_protocol : a.redirect.protocol
      port     = a.redirect.port == "#{port}" ? var.listener_port : try(tonumber(a.redirect.port), null)
    } if a.redirect != null
  }

  # Path and host patterns as regular expressions: * is any run of characters, ? one character, and . $ + (the
  # other characters the patterns allow are not special) are literals. Host names compare without case.
  path_res = { for k, r in var.rules : k => [for v in r.conditions.path_pattern :
    "^${replace(replace(replace(replace(replace(v, ".", "\\."), "$", "\\$"), "+", "\\+"), "*", ".*"), "?", ".")}$"
  ] }
  host_res = { for k, r in var.rules : k => [for v in r.conditions.host_header :
    "(?i)^${replace(replace(replace(v, ".", "\\."), "*", ".*"), "?", ".")}$"
  ] }

  # A redirect to a literal path (no #{...}): for each rule, whether a request for it could match the rule as far as
  # the path tells (a rule without a path condition could match any path). A pattern that cannot be read counts
  # as a match: only a certain loop is refused.
  literal_paths = distinct([for a in values(local.actions) : a.redirect.path if a.redirect != null ? !strcontains(a.redirect.path, "#{") : false])
  path_could_match = { for path in local.literal_paths : path => { for k, r in var.rules : k => (
    length(r.conditions.path_pattern) == 0 || anytrue([for re in local.path_res[k] : try(length(regexall(re, path)) > 0, true)])
  ) } }

  # A redirect that sends a request back to where it came from once #{...} and the rule's own conditions are taken
  # into account: same protocol, port and host, and a path that the same rule matches again before any other (for
  # the default action: a path no rule matches, so it falls to the default action again). Rules managed elsewhere
  # on the listener (reserved_priorities) could take the request first: a literal path is then not judged.
  redirect_self = merge(
    { for k, r in var.rules : local.rule_action_path[k] => (
      contains(compact(["#{protocol}", var.listener_protocol]), r.action.redirect.protocol)
      && contains(compact(["#{port}", var.listener_port == null ? "" : tostring(var.listener_port)]), r.action.redirect.port)
      && (r.action.redirect.host == "#{host}" || alltrue([!strcontains(r.action.redirect.host, "#{"),
      anytrue([for re in local.host_res[k] : try(length(regexall(re, r.action.redirect.host)) > 0, false)])]))
      && (r.action.redirect.path == "/#{path}" ? true : strcontains(r.action.redirect.path, "#{") || length(var.reserved_priorities) > 0 ? false : (
        local.path_could_match[r.action.redirect.path][k]
        && !anytrue([for k2, r2 in var.rules : try(r2.priority < r.priority, false) && local.path_could_match[r.action.redirect.path][k2]])
      ))
      && (r.action.redirect.query == "#{query}" || length(r.conditions.query_strings) == 0)
      && (length(r.conditions.http_request_method) == 0 || contains(r.conditions.http_request_method, "GET"))
    ) if r.action.redirect != null },
    try(var.default_action.redirect, null) == null ? {} : { (local.default_path) = (
      contains(compact(["#{protocol}", var.listener_protocol]), var.default_action.redirect.protocol)
      && contains(compact(["#{port}", var.listener_port == null ? "" : tostring(var.listener_port)]), var.default_action.redirect.port)
      && var.default_action.redirect.host == "#{host}"
      && (strcontains(var.default_action.redirect.path, "#{") || length(var.reserved_priorities) > 0 ? false
      : !anytrue([for k, r in var.rules : local.path_could_match[var.default_action.redirect.path][k]]))
    ) },
  )

  # Per documented rule, the actions that break it: action path => the offending field as the caller wrote it.
  action_problems = {
    exactly_one = { for p, a in local.actions : p => p
    if length([for x in [a.forward, a.weighted_forward, a.redirect, a.fixed_response] : x if x != null]) != 1 }
    unknown_target_group = { for p, a in local.actions : p => "${p} -> ${join(", ", [for tg in local.forward_keys[p] : "\"${tg}\"" if !contains(keys(var.target_group_arns), tg)])}"
    if length([for tg in local.forward_keys[p] : tg if !contains(keys(var.target_group_arns), tg)]) > 0 }
    weighted_count = { for p, a in local.actions : p => "${p}.weighted_forward.target_groups"
    if a.weighted_forward == null ? false : (length(a.weighted_forward.target_groups) < 1 || length(a.weighted_forward.target_groups) > 5) }
    weight = { for p, a in local.actions : p => join(", ", [for tg, v in a.weighted_forward.target_groups : "${p}.weighted_forward.target_groups[\"${tg}\"].weight = ${v.weight == null ? "null" : v.weight}"
      if v.weight == null ? true : !(v.weight >= 0 && v.weight <= 999 && floor(v.weight) == v.weight)])
      if a.weighted_forward == null ? false : anytrue([for v in values(a.weighted_forward.target_groups) :
    v.weight == null ? true : !(v.weight >= 0 && v.weight <= 999 && floor(v.weight) == v.weight)]) }
    stickiness_duration = { for p, a in local.actions : p => "${p}.weighted_forward.stickiness.duration = ${a.weighted_forward.stickiness.duration}"
      if a.weighted_forward == null ? false : a.weighted_forward.stickiness == null ? false :
    !(a.weighted_forward.stickiness.duration >= 1 && a.weighted_forward.stickiness.duration <= 604800) }
    fixed_status = { for p, a in local.actions : p => "${p}.fixed_response.status_code = ${a.fixed_response.status_code == null ? "null" : a.fixed_response.status_code}"
    if a.fixed_response == null ? false : !can(regex("^[245][0-9][0-9]$", a.fixed_response.status_code)) }
    fixed_content_type = { for p, a in local.actions : p => "${p}.fixed_response.content_type = \"${a.fixed_response.content_type}\""
    if a.fixed_response == null ? false : !contains(["text/plain", "text/css", "text/html", "application/javascript", "application/json"], a.fixed_response.content_type) }
    # Bytes, not characters: urlencode turns each non-ASCII byte into %XX and a literal "%" into %25.
    fixed_body = { for p, a in local.actions : p => "${p}.fixed_response.message_body"
      if a.fixed_response == null ? false : a.fixed_response.message_body == null ? false :
    (length(urlencode(a.fixed_response.message_body)) - 2 * length(regexall("%", urlencode(a.fixed_response.message_body)))) > 1024 }
    redirect_status = { for p, a in local.actions : p => "${p}.redirect.status_code = ${a.redirect.status_code}"
    if a.redirect == null ? false : !contains(["HTTP_301", "HTTP_302"], a.redirect.status_code) }
    redirect_protocol = { for p, a in local.actions : p => "${p}.redirect.protocol = \"${a.redirect.protocol}\""
    if a.redirect == null ? false : !contains(["HTTP", "HTTPS", "#{protocol}"], a.redirect.protocol) }
    redirect_port = { for p, a in local.actions : p => "${p}.redirect.port = \"${a.redirect.port}\""
      if a.redirect == null ? false : !(a.redirect.port == "#{port}"
    || can(regex("^([1-9][0-9]{0,3}|[1-5][0-9]{4}|6[0-4][0-9]{3}|65[0-4][0-9]{2}|655[0-2][0-9]|6553[0-5])$", a.redirect.port))) }
    redirect_host = { for p, a in local.actions : p => "${p}.redirect.host"
    if a.redirect == null ? false : (length(a.redirect.host) < 1 || length(a.redirect.host) > 128) }
    redirect_path = { for p, a in local.actions : p => "${p}.redirect.path = \"${a.redirect.path}\""
    if a.redirect == null ? false : !(startswith(a.redirect.path, "/") && length(a.redirect.path) <= 128) }
    redirect_query = { for p, a in local.actions : p => "${p}.redirect.query"
    if a.redirect == null ? false : (length(a.redirect.query) > 128 || startswith(a.redirect.query, "?")) }
    redirect_host_form = { for p, a in local.actions : p => "${p}.redirect.host = \"${a.redirect.host}\""
      if a.redirect == null ? false : (length(a.redirect.host) >= 1 && length(a.redirect.host) <= 128
    && !can(regex("^([A-Za-z0-9.*?-]|#\\{host\\})+$", a.redirect.host))) }
    redirect_loop = { for p, loops in local.redirect_loops : p => "${p}.redirect" if loops }
    redirect_self = { for p, loops in local.redirect_self : p => "${p}.redirect (path \"${local.actions[p].redirect.path}\")"
    if loops && !local.redirect_loops[p] }
    https_to_http = { for p, a in local.actions : p => "${p}.redirect.protocol = \"HTTP\""
    if a.redirect == null ? false : var.listener_protocol == "HTTPS" && a.redirect.protocol == "HTTP" }
    # HTTPS on port 80 and HTTP on port 443 answer nothing, nor does the other protocol on this listener's own port
    # of this load balancer (one listener per port, one protocol per listener).
    redirect_keep_port = { for p, t in local.redirect_to : p => "${p}.redirect goes to ${t.protocol} on port ${t.port}"
      if t.protocol != null && t.port != null && !(var.listener_protocol == "HTTPS" && t.protocol == "HTTP") && (
        (t.protocol == "HTTPS" && t.port == 80) || (t.protocol == "HTTP" && t.port == 443)
        || (local.actions[p].redirect.host == "#{host}" && var.listener_protocol != null && t.protocol != var.listener_protocol
    && t.port == var.listener_port)) }
    # HTTP/2 and gRPC reach the load balancer over TLS only.
    protocol_version = { for p, a in local.actions : p => "${p} -> ${join(", ", [for tg in local.forward_keys[p] : "\"${tg}\" (${var.target_group_protocols[tg]})"
      if contains(["HTTP2", "GRPC"], coalesce(lookup(var.target_group_protocols, tg, null), "HTTP1"))])}"
      if var.listener_protocol == "HTTP" && anytrue([for tg in local.forward_keys[p] :
    contains(["HTTP2", "GRPC"], coalesce(lookup(var.target_group_protocols, tg, null), "HTTP1"))]) }
  }
  forward_keys = { for p, a in local.actions : p => concat(
    a.forward == null ? [] : [a.forward.target_group_key],
    a.weighted_forward == null ? [] : keys(a.weighted_forward.target_groups),
  ) }
  broken_actions = toset(flatten([for problems in values(local.action_problems) : keys(problems)]))

  # The provider's shape of each action, for the rules here and the listener's default action (output). An action
  # that breaks a rule above is drawn as a fixed response instead: the plan fails on the check, and the provider is
  # never asked to plan a shape it would reject with a message that names no field.
  rendered = {
    for p, a in local.actions : p => contains(local.broken_actions, p) ? local.stand_in : {
      type             = a.redirect != null ? "redirect" : a.fixed_response != null ? "fixed-response" : "forward"
      target_group_arn = a.forward == null ? null : lookup(var.target_group_arns, a.forward.target_group_key, null)
      forward = a.weighted_forward == null ? [] : [{
        target_groups = [for tg, v in a.weighted_forward.target_groups : { arn = lookup(var.target_group_arns, tg, null), weight = v.weight }]
        stickiness    = a.weighted_forward.stickiness == null ? [] : [a.weighted_forward.stickiness]
      }]
      redirect       = a.redirect == null ? [] : [a.redirect]
      fixed_response = a.fixed_response == null ? [] : [a.fixed_response]
    }
  }
  stand_in = {
    type             = "fixed-response"
    target_group_arn = null
    forward          = []
    redirect         = []
    fixed_response   = [{ status_code = "500", content_type = "text/plain", message_body = "invalid action" }]
  }

  # The routing table's view of an action. A conditional cannot return objects of different shapes, a tuple
  # indexed by a known number can.
  summaries = {
    for p, a in local.actions : p => [
      { type = "forward", target_group_key = try(a.forward.target_group_key, null) },
      {
        type          = "weighted_forward"
        target_groups = try({ for tg, v in a.weighted_forward.target_groups : tg => v.weight }, null)
        stickiness    = try(a.weighted_forward.stickiness, null)
      },
      merge({ type = "redirect" }, a.redirect),
      merge({ type = "fixed_response" }, a.fixed_response),
    ][a.forward != null ? 0 : a.weighted_forward != null ? 1 : a.redirect != null ? 2 : 3]
  }

  # Empty lists and maps dropped, so the routing table shows only the conditions a rule really has.
  conditions = { for k, r in var.rules : k => { for name, values in r.conditions : name => values if length(values) > 0 } }

  # sort() is lexical: zero-padding the priority makes it numeric.
  evaluation_order = [for s in sort([for k, r in var.rules : format("%05d/%s", r.priority, k)]) : substr(s, 6, -1)]
}

resource "aws_lb_listener_rule" "this" {
  for_each = var.rules

  listener_arn = var.listener_arn
  priority     = each.value.priority
  tags         = merge(var.tags, each.value.tags)

  dynamic "action" {
    for_each = [local.rendered[local.rule_action_path[each.key]]]
    content {
      type             = action.value.type
      target_group_arn = action.value.target_group_arn

      dynamic "forward" {
        for_each = action.value.forward
        content {
          dynamic "target_group" {
            for_each = forward.value.target_groups
            content {
              arn    = target_group.value.arn
              weight = target_group.value.weight
            }
          }
          dynamic "stickiness" {
            for_each = forward.value.stickiness
            content {
              enabled  = stickiness.value.enabled
              duration = stickiness.value.duration
            }
          }
        }
      }

      dynamic "redirect" {
        for_each = action.value.redirect
        content {
          protocol    = redirect.value.protocol
          port        = redirect.value.port
          host        = redirect.value.host
          path        = redirect.value.path
          query       = redirect.value.query
          status_code = redirect.value.status_code
        }
      }

      dynamic "fixed_response" {
        for_each = action.value.fixed_response
        content {
          status_code  = fixed_response.value.status_code
          content_type = fixed_response.value.content_type
          message_body = fixed_response.value.message_body
        }
      }
    }
  }

  dynamic "condition" {
    for_each = length(each.value.conditions.path_pattern) > 0 ? [each.value.conditions.path_pattern] : []
    content {
      path_pattern {
        values = condition.value
      }
    }
  }

  dynamic "condition" {
    for_each = length(each.value.conditions.host_header) > 0 ? [each.value.conditions.host_header] : []
    content {
      host_header {
        values = condition.value
      }
    }
  }

  dynamic "condition" {
    for_each = length(each.value.conditions.http_request_method) > 0 ? [each.value.conditions.http_request_method] : []
    content {
      http_request_method {
        values = condition.value
      }
    }
  }

  dynamic "condition" {
    for_each = length(each.value.conditions.source_ip) > 0 ? [each.value.conditions.source_ip] : []
    content {
      source_ip {
        values = condition.value
      }
    }
  }

  # One condition per header name: ALB matches a header condition against a single name.
  dynamic "condition" {
    for_each = each.value.conditions.http_headers
    content {
      http_header {
        http_header_name = condition.key
        values           = condition.value
      }
    }
  }

  dynamic "condition" {
    for_each = length(each.value.conditions.query_strings) > 0 ? [each.value.conditions.query_strings] : []
    content {
      dynamic "query_string" {
        for_each = condition.value
        content {
          key   = query_string.value.key
          value = query_string.value.value
        }
      }
    }
  }
}
