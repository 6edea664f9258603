output "dns_name" {
  description = "Try http://<dns_name>/ with Host shop.example.com and blog.example.com: one app per port."
  value       = module.alb.dns_name
}

output "summary" {
  description = "What this example promises (the test suite checks it): the ALB, the two instances running two apps, one target group per app, and the host and path routes."
  value       = module.summary.summary
}
