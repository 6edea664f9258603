output "alb_name" {
  description = "Name of the load balancer."
  value       = split("/", module.alb.arn_suffix)[1]
}

output "dns_name" {
  description = "DNS name of the load balancer: open http://<dns_name>/ in a browser."
  value       = module.alb.dns_name
}

output "instance_ids" {
  description = "Instance IDs keyed by the example's stable instance key."
  value       = { for k, i in aws_instance.web : k => i.id }
}

output "target_group_names" {
  description = "Target group names keyed by target-group key."
  value       = { for k, arn in module.alb.target_group_arns : k => split("/", arn)[1] }
}

output "security_group_ids" {
  description = "The ALB's and the targets' security group IDs."
  value       = module.alb.security_group_ids
}

output "routes" {
  description = "Requests and the action the listeners must give them (checked by the alblab routing evaluator)."
  # tolist/tomap give every route one object type, whatever optional fields a route sets.
  value = tolist([
    for r in [
      { name = "http-root-redirect", port = 80, path = "/", expect = { type = "redirect", target_group_key = null, status_code = 301 } },
      { name = "http-deep-redirect", port = 80, path = "/account/orders", query = { page = "2" }, expect = { type = "redirect", target_group_key = null, status_code = 301 } },
      { name = "http-post-redirect", port = 80, method = "POST", path = "/login", expect = { type = "redirect", target_group_key = null, status_code = 301 } },
      { name = "https-root", port = 443, path = "/", expect = { type = "forward", target_group_key = "web", status_code = null } },
      { name = "https-sni-host", port = 443, host = "www.example.net", path = "/index.html", expect = { type = "forward", target_group_key = "web", status_code = null } },
      { name = "https-health", port = 443, path = "/health", expect = { type = "forward", target_group_key = "web", status_code = null } },
      ] : {
      name          = r.name
      listener_port = r.port
      method        = try(r.method, "GET")
      host          = try(r.host, "example.com")
      path          = r.path
      headers       = tomap(try(r.headers, {}))
      query         = tomap(try(r.query, {}))
      source_ip     = try(r.source_ip, "203.0.113.10")
      expect        = r.expect
    }
  ])
}

output "certificate_arns" {
  description = "ARNs of the imported default and SNI certificates."
  value = {
    default = aws_acm_certificate.default.arn
    sni     = aws_acm_certificate.sni.arn
  }
}
