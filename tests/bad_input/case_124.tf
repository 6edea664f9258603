# expect-field: listeners["http"].default_action -> "rpc" (GRPC)|listeners["http"].rules["split"].action -> "h2" (HTTP2)
# expect-rule: Target groups with protocol_version HTTP2 or GRPC take requests from HTTPS listeners only|Target groups with protocol_version HTTP2 or GRPC take requests from HTTPS listeners only
# gRPC and HTTP/2 target groups behind a plain HTTP listener: clients reach them over TLS only.
module "case_124" {
  source = "../.."

  name       = "${var.prefix}-c124"
  vpc_id     = local.vpc_id
  subnet_ids = local.subnet_ids
  target_groups = {
    rpc = { port = 50051, protocol_version = "GRPC" }
    h2  = { port = 8443, protocol = "HTTPS", protocol_version = "HTTP2" }
    web = { port = 80 }
  }
  listeners = {
    http = {
      port           = 80
      default_action = { forward = { target_group_key = "rpc" } }
      rules = {
        split = { priority = 10, conditions = { path_pattern = ["/v2/*"] }, action = { weighted_forward = { target_groups = { web = { weight = 9 }, h2 = { weight = 1 } } } } }
      }
    }
  }
}
