output "dns_name" {
  description = "The ALB: https://<dns_name>/ (self-signed certificate: curl -k), http:// redirects to it."
  value       = module.alb.dns_name
}

output "summary" {
  description = "What this example promises (the test suite checks it): the ALB, instances, security groups, target groups, and eight routes across all six condition types, a weighted canary and two redirects."
  value       = module.summary.summary
}

output "app_fqdn" {
  description = "The Route53 alias record pointing at the ALB."
  value       = "app.${local.domain}"
}

output "route53_zone_id" {
  description = "ID of the hosted zone holding the alias record."
  value       = aws_route53_zone.this.zone_id
}

output "access_log_bucket" {
  description = "S3 bucket receiving the ALB's access logs."
  value       = aws_s3_bucket.logs.id
}

output "web_acl_arn" {
  description = "ARN of the WAFv2 web ACL associated with the ALB."
  value       = aws_wafv2_web_acl.this.arn
}

output "listener_arns" {
  description = "Listener ARNs keyed by listener key."
  value       = module.alb.listener_arns
}

output "routing_table" {
  description = "The module's view of each listener's rules in evaluation order."
  value       = module.alb.routing_table
}
