# expect-field: target_groups["api"].health_check.matcher
# expect-rule: gRPC codes 0-99 for protocol_version GRPC
module "case_69" {
  source = "../.."

  name          = "${var.prefix}-c69"
  vpc_id        = local.vpc_id
  subnet_ids    = local.subnet_ids
  target_groups = { api = { port = 50051, protocol = "HTTPS", protocol_version = "GRPC", health_check = { matcher = "200" } } }
  listeners     = { http = { port = 80, default_action = { fixed_response = { status_code = 404 } } } }
}
