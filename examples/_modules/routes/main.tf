# The examples' "routes" output: requests and the action a listener must give each, in one object type whatever
# optional fields a route sets (the alblab routing evaluator checks them against the live listener rules).

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

output "routes" {
  description = "The routes with every field set."
  value = tolist([for r in var.routes : {
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
