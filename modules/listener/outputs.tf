output "arn" {
  description = "Listener ARN."
  value       = aws_lb_listener.this.arn
}

output "certificate_ids" {
  description = "SNI certificate attachment IDs keyed by the additional_certificate_arns keys."
  value       = { for k, c in aws_lb_listener_certificate.this : k => c.id }
}

output "rule_arns" {
  description = "Rule ARNs keyed by the rules map's keys."
  value       = module.rules.rule_arns
}

output "rule_priorities" {
  description = "The priorities the rules take, ascending (known at plan)."
  value       = module.rules.priorities
}

output "routing_table" {
  description = "The rules in evaluation order (ascending priority), the default action last: [{priority, rule, conditions, action}]."
  value       = module.rules.routing_table
}
