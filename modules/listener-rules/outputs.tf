output "rule_arns" {
  description = "Rule ARNs keyed by the rules map's keys."
  value       = { for k, r in aws_lb_listener_rule.this : k => r.arn }
}

output "routing_table" {
  description = "The rules in evaluation order (ascending priority): {priority, rule, conditions, action}."
  value = [for k in local.evaluation_order : {
    priority   = var.rules[k].priority
    rule       = k
    conditions = local.conditions[k]
    action     = local.actions[k]
  }]
}
