output "dns_name" {
  description = "Try http://<dns_name>/mobile (the instances) and http://<dns_name>/desktop (the on-premises IP target)."
  value       = module.alb.dns_name
}

output "summary" {
  description = "What this example promises (the test suite checks it): the ALB, instances, security groups, the EC2 and IP target groups, and the path routes with the default 404."
  value       = module.summary.summary
}
