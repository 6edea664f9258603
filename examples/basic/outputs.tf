output "dns_name" {
  description = "Open http://<dns_name>/ in a browser: each reload is answered by the other instance."
  value       = module.alb.dns_name
}

output "summary" {
  description = "What this example promises (the test suite checks it): the ALB, its two instances and security groups, one target group, and every request going to it."
  value       = module.summary.summary
}
