module "summary" {
  source = "../_modules/summary"

  routes = [
    { name = "http-root-redirect", listener_port = 80, path = "/", expect = { type = "redirect", status_code = 301 } },
    { name = "http-deep-redirect", listener_port = 80, path = "/account/orders", query = { page = "2" }, expect = { type = "redirect", status_code = 301 } },
    { name = "http-post-redirect", listener_port = 80, method = "POST", path = "/login", expect = { type = "redirect", status_code = 301 } },
    { name = "https-root", listener_port = 443, path = "/", expect = { type = "forward", target_group_key = "web" } },
    { name = "https-sni-host", listener_port = 443, host = "www.example.net", path = "/index.html", expect = { type = "forward", target_group_key = "web" } },
    { name = "https-health", listener_port = 443, path = "/health", expect = { type = "forward", target_group_key = "web" } },
  ]

  alb          = module.alb
  instance_ids = module.scaffold.instance_ids
}
