output "alb_security_group_id" {
  description = "SG of the ALB."
  value       = local.alb_sg_id
}

output "target_security_group_id" {
  description = "SG to attach to the targets: it admits only the ALB SG, only on the target ports."
  value       = local.target_sg_id
}

output "alb_ingress_rule_ids" {
  description = "ALB ingress rule IDs keyed \"<port>/<source>\"."
  value       = { for k, r in aws_vpc_security_group_ingress_rule.alb : k => r.security_group_rule_id }
}

output "alb_egress_rule_ids" {
  description = "ALB egress rule IDs: target-SG rules keyed by port, IP-target rules keyed \"<tg_key>/<target_key>/<port>\"."
  value = merge(
    { for k, r in aws_vpc_security_group_egress_rule.alb_to_targets : k => r.security_group_rule_id },
    { for k, r in aws_vpc_security_group_egress_rule.alb_to_ip_targets : k => r.security_group_rule_id },
  )
}

output "target_ingress_rule_ids" {
  description = "Target SG ingress rule IDs keyed by port."
  value       = { for k, r in aws_vpc_security_group_ingress_rule.targets_from_alb : k => r.security_group_rule_id }
}

output "rules_ready" {
  description = "Known once every rule is in place. Read it where something sends traffic through the rules (the root module's listeners and rules do): that is then changed after new rules are created and before the rules it stops using are deleted."
  value       = terraform_data.rule_keys.id
}
