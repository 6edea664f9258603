module "summary" {
  source = "../_modules/summary"

  routes = [
    { name = "home", path = "/", expect = { type = "forward", target_group_key = "web" } },
    { name = "app-page", path = "/app/orders", expect = { type = "forward", target_group_key = "web" } },
    { name = "admin-403", path = "/admin", expect = { type = "fixed-response", status_code = 403 } },
    { name = "admin-deep-403", path = "/administrator/login", expect = { type = "fixed-response", status_code = 403 } },
    { name = "dotenv-403", path = "/.env", expect = { type = "fixed-response", status_code = 403 } },
    { name = "delete-404", method = "DELETE", path = "/app/orders/1", expect = { type = "fixed-response", status_code = 404 } },
    { name = "unknown-404", path = "/phpinfo.php", expect = { type = "fixed-response", status_code = 404 } },
  ]

  alb          = module.alb
  instance_ids = module.scaffold.instance_ids
}
