output "alb_name" {
  description = "Name of the load balancer."
  value       = module.alb.name
}

output "dns_name" {
  description = "DNS name of the load balancer: open http://<dns_name>/ in a browser."
  value       = module.alb.dns_name
}

output "instance_ids" {
  description = "Instance IDs keyed by the example's stable instance key."
  value       = module.scaffold.instance_ids
}

output "target_group_names" {
  description = "Target group names keyed by target-group key."
  value       = module.alb.target_group_names
}

output "security_group_ids" {
  description = "The ALB's and the targets' security group IDs."
  value       = module.alb.security_group_ids
}

module "routes" {
  source = "../_modules/routes"

  routes = [
    { name = "http-root-redirect", listener_port = 80, path = "/", expect = { type = "redirect", status_code = 301 } },
    { name = "http-deep-redirect", listener_port = 80, path = "/account/orders", query = { page = "2" }, expect = { type = "redirect", status_code = 301 } },
    { name = "http-post-redirect", listener_port = 80, method = "POST", path = "/login", expect = { type = "redirect", status_code = 301 } },
    { name = "https-root", listener_port = 443, path = "/", expect = { type = "forward", target_group_key = "web" } },
    { name = "https-sni-host", listener_port = 443, host = "www.example.net", path = "/index.html", expect = { type = "forward", target_group_key = "web" } },
    { name = "https-health", listener_port = 443, path = "/health", expect = { type = "forward", target_group_key = "web" } },
  ]
}

output "routes" {
  description = "Requests and the action the listeners must give them (checked by the alblab routing evaluator)."
  value       = module.routes.routes
}

output "certificate_arns" {
  description = "ARNs of the imported default and SNI certificates."
  value = {
    default = aws_acm_certificate.default.arn
    sni     = aws_acm_certificate.sni.arn
  }
}
