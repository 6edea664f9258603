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
    { name = "home", path = "/", expect = { type = "forward", target_group_key = "web" } },
    { name = "app-page", path = "/app/orders", expect = { type = "forward", target_group_key = "web" } },
    { name = "admin-403", path = "/admin", expect = { type = "fixed-response", status_code = 403 } },
    { name = "admin-deep-403", path = "/administrator/login", expect = { type = "fixed-response", status_code = 403 } },
    { name = "dotenv-403", path = "/.env", expect = { type = "fixed-response", status_code = 403 } },
    { name = "delete-404", method = "DELETE", path = "/app/orders/1", expect = { type = "fixed-response", status_code = 404 } },
    { name = "unknown-404", path = "/phpinfo.php", expect = { type = "fixed-response", status_code = 404 } },
  ]
}

output "routes" {
  description = "Requests and the action the listener must give them (checked by the alblab routing evaluator)."
  value       = module.routes.routes
}
