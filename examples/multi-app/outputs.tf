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
      { name = "shop-host", host = "shop.${var.domain}", path = "/", expect = { type = "forward", target_group_key = "shop", status_code = null } },
      { name = "blog-host-any-case", host = upper("blog.${var.domain}"), path = "/2026/11/post", expect = { type = "forward", target_group_key = "blog", status_code = null } },
      { name = "host-beats-path", host = "shop.${var.domain}", path = "/blog/x", expect = { type = "forward", target_group_key = "shop", status_code = null } },
      { name = "shop-path", host = "www.${var.domain}", path = "/shop/cart", expect = { type = "forward", target_group_key = "shop", status_code = null } },
      { name = "blog-path", host = "www.${var.domain}", path = "/blog", expect = { type = "forward", target_group_key = "blog", status_code = null } },
      { name = "no-app-404", host = "www.${var.domain}", path = "/", expect = { type = "fixed-response", target_group_key = null, status_code = 404 } },
      { name = "blogger-404", host = "www.${var.domain}", path = "/blogger", expect = { type = "fixed-response", target_group_key = null, status_code = 404 } },
      ] : {
      name          = r.name
      listener_port = 80
      method        = try(r.method, "GET")
      host          = r.host
      path          = r.path
      headers       = tomap(try(r.headers, {}))
      query         = tomap(try(r.query, {}))
      source_ip     = try(r.source_ip, "203.0.113.10")
      expect        = r.expect
    }
  ])
}
