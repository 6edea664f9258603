output "dns_name" {
  description = "Try https://<dns_name>/ (self-signed certificate: curl -k); http:// answers with a redirect."
  value       = module.alb.dns_name
}

output "summary" {
  description = "What this example promises (the test suite checks it): the ALB, instances, security groups, target group, and the redirect on :80 and the forwards on :443."
  value       = module.summary.summary
}

output "certificate_arns" {
  description = "ARNs of the imported default and SNI certificates."
  value = {
    default = aws_acm_certificate.default.arn
    sni     = aws_acm_certificate.sni.arn
  }
}
