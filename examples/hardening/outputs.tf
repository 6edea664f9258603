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
  description = "Requests and the action the listener must give them (checked by the alblab routing evaluator)."
  # tolist/tomap give every route one object type, whatever optional fields a route sets.
  value = tolist([
    for r in [
      { name = "home", path = "/", expect = { type = "forward", target_group_key = "web", status_code = null } },
      { name = "app-page", path = "/app/orders", expect = { type = "forward", target_group_key = "web", status_code = null } },
      { name = "admin-403", path = "/admin", expect = { type = "fixed-response", target_group_key = null, status_code = 403 } },
      { name = "admin-deep-403", path = "/administrator/login", expect = { type = "fixed-response", target_group_key = null, status_code = 403 } },
      { name = "dotenv-403", path = "/.env", expect = { type = "fixed-response", target_group_key = null, status_code = 403 } },
      { name = "delete-404", method = "DELETE", path = "/app/orders/1", expect = { type = "fixed-response", target_group_key = null, status_code = 404 } },
      { name = "unknown-404", path = "/phpinfo.php", expect = { type = "fixed-response", target_group_key = null, status_code = 404 } },
      ] : {
      name          = r.name
      listener_port = 80
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
