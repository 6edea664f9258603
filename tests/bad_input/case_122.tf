# expect-field: listeners["web"].default_action.redirect goes to HTTPS on port 80|listeners["plain"].default_action.redirect goes to HTTP on port 443|listeners["dev"].default_action.redirect goes to HTTPS on port 8000
# expect-rule: A redirect that switches the protocol must switch the port too|A redirect that switches the protocol must switch the port too|A redirect that switches the protocol must switch the port too
# To HTTPS keeping the listener's port 80; to port 443 keeping plain HTTP; to HTTPS on this load balancer's HTTP
# port 8000 (one listener per port, one protocol per listener).
module "case_122" {
  source = "../.."

  name          = "${var.prefix}-c122"
  vpc_id        = local.vpc_id
  subnet_ids    = local.subnet_ids
  target_groups = { web = { port = 80 } }
  listeners = {
    web   = { port = 80, default_action = { redirect = { protocol = "HTTPS" } } }
    plain = { port = 8080, default_action = { redirect = { port = "443" } } }
    dev   = { port = 8000, default_action = { redirect = { protocol = "HTTPS", status_code = "HTTP_302" } } }
  }
}
