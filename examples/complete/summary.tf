module "summary" {
  source = "../_modules/summary"

  defaults = { listener_port = 443, host = "www.${local.domain}" }

  routes = [
    { name = "http-redirect", listener_port = 80, path = "/shop", expect = { type = "redirect", status_code = 301 } },
    { name = "default-blue", path = "/", expect = { type = "forward", target_group_key = "blue" } },
    { name = "api-green", method = "POST", path = "/api/orders", expect = { type = "forward", target_group_key = "green" } },
    { name = "canary-weighted", path = "/", headers = { "X-Canary" = "TRUE" }, expect = { type = "forward" } },
    { name = "beta-query", path = "/catalog", query = { version = "beta" }, expect = { type = "forward", target_group_key = "green" } },
    { name = "legacy-redirect", host = "legacy.${local.domain}", path = "/old", expect = { type = "redirect", status_code = 302 } },
    { name = "admin-403", path = "/admin/users", expect = { type = "fixed-response", status_code = 403 } },
  ]

  alb          = module.alb
  instance_ids = module.scaffold.instance_ids
}
