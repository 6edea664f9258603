module "summary" {
  source = "../_modules/summary"

  routes = [
    { name = "mobile-exact", path = "/mobile", expect = { type = "forward", target_group_key = "mobile" } },
    { name = "mobile-app", path = "/mobile/app/home", expect = { type = "forward", target_group_key = "mobile" } },
    { name = "mobile-suffix", path = "/mobile-beta", expect = { type = "forward", target_group_key = "mobile" } },
    { name = "desktop", path = "/desktop/index.html", expect = { type = "forward", target_group_key = "desktop" } },
    { name = "root-404", path = "/", expect = { type = "fixed-response", status_code = 404 } },
    { name = "case-sensitive-404", path = "/Mobile", expect = { type = "fixed-response", status_code = 404 } },
    { name = "not-prefix-404", path = "/api/mobile", expect = { type = "fixed-response", status_code = 404 } },
  ]

  alb          = module.alb
  instance_ids = module.scaffold.instance_ids
}
