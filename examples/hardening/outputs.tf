output "dns_name" {
  description = "Try http://<dns_name>/admin (a fixed 403 from the ALB) and http://<dns_name>/ (the app)."
  value       = module.alb.dns_name
}

output "summary" {
  description = "What this example promises (the test suite checks it): the ALB, its instances reachable only through its security group, and the fixed-response routes."
  value       = module.summary.summary
}
