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
  # A weighted forward has no single target group: target_group_key is null there.
  value = tolist([
    for r in [
      { name = "http-redirect", port = 80, path = "/shop", expect = { type = "redirect", target_group_key = null, status_code = 301 } },
      { name = "default-blue", path = "/", expect = { type = "forward", target_group_key = "blue", status_code = null } },
      { name = "api-green", method = "POST", path = "/api/orders", expect = { type = "forward", target_group_key = "green", status_code = null } },
      { name = "canary-weighted", path = "/", headers = { "X-Canary" = "TRUE" }, expect = { type = "forward", target_group_key = null, status_code = null } },
      { name = "beta-query", path = "/catalog", query = { version = "beta" }, expect = { type = "forward", target_group_key = "green", status_code = null } },
      { name = "office-reports", path = "/reports/q3", source_ip = "198.51.100.7", expect = { type = "forward", target_group_key = "onprem", status_code = null } },
      { name = "legacy-redirect", host = "legacy.${local.domain}", path = "/old", expect = { type = "redirect", target_group_key = null, status_code = 302 } },
      { name = "admin-403", path = "/admin/users", expect = { type = "fixed-response", target_group_key = null, status_code = 403 } },
      ] : {
      name          = r.name
      listener_port = try(r.port, 443)
      method        = try(r.method, "GET")
      host          = try(r.host, "www.${local.domain}")
      path          = r.path
      headers       = tomap(try(r.headers, {}))
      query         = tomap(try(r.query, {}))
      source_ip     = try(r.source_ip, "203.0.113.10")
      expect        = r.expect
    }
  ])
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
