module "summary" {
  source = "../_modules/summary"

  routes = [
    { name = "shop-host", host = "shop.${var.domain}", path = "/", expect = { type = "forward", target_group_key = "shop" } },
    { name = "blog-host-any-case", host = upper("blog.${var.domain}"), path = "/2026/11/post", expect = { type = "forward", target_group_key = "blog" } },
    { name = "host-beats-path", host = "shop.${var.domain}", path = "/blog/x", expect = { type = "forward", target_group_key = "shop" } },
    { name = "shop-path", host = "www.${var.domain}", path = "/shop/cart", expect = { type = "forward", target_group_key = "shop" } },
    { name = "blog-path", host = "www.${var.domain}", path = "/blog", expect = { type = "forward", target_group_key = "blog" } },
    { name = "no-app-404", host = "www.${var.domain}", path = "/", expect = { type = "fixed-response", status_code = 404 } },
    { name = "blogger-404", host = "www.${var.domain}", path = "/blogger", expect = { type = "fixed-response", status_code = 404 } },
  ]

  alb          = module.alb
  instance_ids = module.scaffold.instance_ids
}
