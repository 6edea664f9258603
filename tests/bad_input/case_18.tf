# expect-field: target_groups["web"].protocol_version
# expect-rule: HTTP1, HTTP2, GRPC
module "case_18" {
  source = "../.."

  name          = "${var.prefix}-c18"
  vpc_id        = local.vpc_id
  subnet_ids    = local.subnet_ids
  target_groups = { web = { port = 80, protocol_version = "HTTP3" } }
  listeners     = { http = { port = 80, default_action = { forward = { target_group_key = "web" } } } }
}
