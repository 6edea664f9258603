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

  defaults = { listener_port = 443, host = "www.${local.domain}" }

  routes = [
    { name = "http-redirect", listener_port = 80, path = "/shop", expect = { type = "redirect", status_code = 301 } },
    { name = "default-blue", path = "/", expect = { type = "forward", target_group_key = "blue" } },
    { name = "api-green", method = "POST", path = "/api/orders", expect = { type = "forward", target_group_key = "green" } },
    { name = "canary-weighted", path = "/", headers = { "X-Canary" = "TRUE" }, expect = { type = "forward" } },
    { name = "beta-query", path = "/catalog", query = { version = "beta" }, expect = { type = "forward", target_group_key = "green" } },
    { name = "office-reports", path = "/reports/q3", source_ip = "198.51.100.7", expect = { type = "forward", target_group_key = "onprem" } },
    { name = "legacy-redirect", host = "legacy.${local.domain}", path = "/old", expect = { type = "redirect", status_code = 302 } },
    { name = "admin-403", path = "/admin/users", expect = { type = "fixed-response", status_code = 403 } },
  ]
}

output "routes" {
  description = "Requests and the action the listeners must give them (checked by the alblab routing evaluator). A weighted forward has no single target group."
  value       = module.routes.routes
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
