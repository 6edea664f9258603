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
    { name = "shop-host", host = "shop.${var.domain}", path = "/", expect = { type = "forward", target_group_key = "shop" } },
    { name = "blog-host-any-case", host = upper("blog.${var.domain}"), path = "/2026/11/post", expect = { type = "forward", target_group_key = "blog" } },
    { name = "host-beats-path", host = "shop.${var.domain}", path = "/blog/x", expect = { type = "forward", target_group_key = "shop" } },
    { name = "shop-path", host = "www.${var.domain}", path = "/shop/cart", expect = { type = "forward", target_group_key = "shop" } },
    { name = "blog-path", host = "www.${var.domain}", path = "/blog", expect = { type = "forward", target_group_key = "blog" } },
    { name = "no-app-404", host = "www.${var.domain}", path = "/", expect = { type = "fixed-response", status_code = 404 } },
    { name = "blogger-404", host = "www.${var.domain}", path = "/blogger", expect = { type = "fixed-response", status_code = 404 } },
  ]
}

output "routes" {
  description = "Requests and the action the listener must give them (checked by the alblab routing evaluator)."
  value       = module.routes.routes
}
