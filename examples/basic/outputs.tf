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
    { name = "root", path = "/", expect = { type = "forward", target_group_key = "web" } },
    { name = "any-path", path = "/some/page.html", expect = { type = "forward", target_group_key = "web" } },
    { name = "health", path = "/health", expect = { type = "forward", target_group_key = "web" } },
    { name = "post", method = "POST", path = "/form", expect = { type = "forward", target_group_key = "web" } },
    { name = "other-host", host = "www.example.org", path = "/", expect = { type = "forward", target_group_key = "web" } },
  ]
}

output "routes" {
  description = "Requests and the action the listener must give them (checked by the alblab routing evaluator)."
  value       = module.routes.routes
}
