# expect-field: [0]|[70000]|a/b
# expect-rule: listener_ports must be 1-65535|target_ports must be 1-65535|ip_targets[*].port and health_check_port must be 1-65535
# The ports the root module derives from checked inputs, given wrong by a direct caller.
module "case_99" {
  source = "../../modules/security-groups"

  name           = "${var.prefix}-c99"
  vpc_id         = local.vpc_id
  listener_ports = [0]
  target_ports   = [70000]
  ip_targets     = { "a/b" = { ip = "192.168.50.10", port = 80, health_check_port = 0 } }
}
