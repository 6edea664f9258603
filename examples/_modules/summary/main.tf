# What each example promises, as its one output "summary": its load balancer, instances, security groups, target
# groups, and the routes — requests and the action a listener must give each, in one object type whatever optional
# fields a route sets (the alblab routing evaluator checks them against the live listener rules).

variable "alb" {
  description = "The terraform-aws-alb module's outputs (module.alb)."
  type        = any
  nullable    = false
}

variable "instance_ids" {
  description = "The example's instance IDs, keyed by its stable instance keys."
  type        = map(string)
  nullable    = false
}

variable "defaults" {
  description = "Values for the fields a route leaves out: listener_port, method, host, source_ip."
  type = object({
    listener_port = optional(number, 80)
    method        = optional(string, "GET")
    host          = optional(string, "example.com")
    source_ip     = optional(string, "203.0.113.10")
  })
  default  = {}
  nullable = false
}

variable "routes" {
  description = <<-EOT
    Requests: {name, path, expect = {type, target_group_key, status_code}} and optionally listener_port, method,
    host, headers (map), query (map), source_ip. A weighted forward has no single target group: target_group_key
    null.
  EOT
  type        = any
  nullable    = false
}

locals {
  routes = tolist([for r in var.routes : {
    name          = r.name
    listener_port = try(r.listener_port, var.defaults.listener_port)
    method        = try(r.method, var.defaults.method)
    host          = try(r.host, var.defaults.host)
    path          = r.path
    headers       = tomap(try(r.headers, {}))
    query         = tomap(try(r.query, {}))
    source_ip     = try(r.source_ip, var.defaults.source_ip)
    expect = {
      type             = r.expect.type
      target_group_key = try(r.expect.target_group_key, null)
      status_code      = try(r.expect.status_code, null)
    }
  }])
}

output "summary" {
  description = "alb_name, dns_name, instance_ids, target_group_names, security_group_ids, routes (every field set)."
  value = {
    alb_name           = var.alb.name
    dns_name           = var.alb.dns_name
    instance_ids       = var.instance_ids
    target_group_names = var.alb.target_group_names
    security_group_ids = var.alb.security_group_ids
    routes             = local.routes
  }
}
