# expect-field: listeners["http"].default_action.redirect
# expect-rule: A redirect must change the protocol, host, port or path
# HTTP on port 80 redirected to HTTP on port 80: the same URL, a loop.
module "case_94" {
  source = "../.."

  name          = "${var.prefix}-c94"
  vpc_id        = local.vpc_id
  subnet_ids    = local.subnet_ids
  target_groups = { web = { port = 80 } }
  listeners     = { http = { port = 80, default_action = { redirect = { protocol = "HTTP", port = "80" } } } }
}
