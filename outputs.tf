output "arn" {
  description = "ALB ARN."
  value       = aws_lb.this.arn
}

output "arn_suffix" {
  description = "ALB ARN suffix, for CloudWatch metrics."
  value       = aws_lb.this.arn_suffix
}

output "id" {
  description = "ALB ID (same as the ARN)."
  value       = aws_lb.this.id
}

output "dns_name" {
  description = "ALB DNS name."
  value       = aws_lb.this.dns_name
}

output "zone_id" {
  description = "Route53 zone ID of the ALB, for alias records."
  value       = aws_lb.this.zone_id
}

output "security_group_ids" {
  description = "{alb, targets}: attach targets to the targets SG; it admits only the ALB SG."
  value = {
    alb     = module.security_groups.alb_security_group_id
    targets = module.security_groups.target_security_group_id
  }
}

output "listener_arns" {
  description = "Listener ARNs keyed by the listeners map's keys."
  value       = { for k, m in module.listener : k => m.arn }
}

output "target_group_arns" {
  description = "Target group ARNs keyed by the target_groups map's keys."
  value       = local.target_group_arns
}

output "target_group_arn_suffixes" {
  description = "Target group ARN suffixes keyed by the target_groups map's keys."
  value       = { for k, m in module.target_group : k => m.arn_suffix }
}

output "rule_arns" {
  description = "Listener rule ARNs keyed \"<listener_key>/<rule_key>\"."
  value = merge([
    for lk, m in module.listener : { for rk, arn in m.rule_arns : "${lk}/${rk}" => arn }
  ]...)
}

output "rule_priorities" {
  description = "Per listener key, the priorities its rules take (known at plan): give them to modules/listener-rules as reserved_priorities when you add rules to that listener."
  value       = { for k, m in module.listener : k => m.rule_priorities }
}

output "routing_table" {
  description = "Per listener, its rules in evaluation order: [{priority, rule, conditions, action}], the default action last (priority null, rule \"default\")."
  value       = { for k, m in module.listener : k => m.routing_table }
}

output "name" {
  description = "ALB name."
  value       = aws_lb.this.name
}

output "target_group_names" {
  description = "Target group names keyed by the target_groups map's keys."
  value       = { for k, m in module.target_group : k => m.name }
}
