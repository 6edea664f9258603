module "summary" {
  source = "../_modules/summary"

  routes = [
    { name = "root", path = "/", expect = { type = "forward", target_group_key = "web" } },
    { name = "any-path", path = "/some/page.html", expect = { type = "forward", target_group_key = "web" } },
    { name = "health", path = "/health", expect = { type = "forward", target_group_key = "web" } },
    { name = "post", method = "POST", path = "/form", expect = { type = "forward", target_group_key = "web" } },
    { name = "other-host", host = "www.example.org", path = "/", expect = { type = "forward", target_group_key = "web" } },
  ]

  alb          = module.alb
  instance_ids = module.scaffold.instance_ids
}
