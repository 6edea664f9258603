# Control case: valid neighbours of the target-group checks (matcher edges, gRPC codes, a disabled health check on a
# lambda group, an app cookie that merely contains AWSALB, every algorithm with its allowed extras, instance,
# on-premises, carrier-grade NAT and in-VPC targets, a lambda target of the provider's region with a qualifier, 50
# tags on a group); it must produce no diagnostic.
module "case_105" {
  source = "../.."

  name            = "${var.prefix}-c105"
  vpc_id          = local.vpc_id
  vpc_cidr_blocks = ["10.0.0.0/16"]
  subnet_ids      = local.subnet_ids
  target_groups = {
    web = {
      port = 80
      health_check = {
        path     = "/health", port = "8081", protocol = "HTTPS", matcher = "200-499,202"
        interval = 300, timeout = 120, healthy_threshold = 10, unhealthy_threshold = 2
      }
      stickiness           = { type = "app_cookie", cookie_name = "MYAWSALB", cookie_duration = 604800 }
      slow_start           = 900
      deregistration_delay = 3600
      targets = {
        a = { target_id = "i-0123456789abcdef0" }
        b = { target_id = "i-01234567", port = 8080 }
      }
      tags = merge({ Release = "blue-1.2" }, { for i in range(49) : "own-${i}" => "y" })
    }
    api = {
      port                     = 50051
      protocol                 = "HTTPS"
      protocol_version         = "GRPC"
      health_check             = { matcher = "0-99" }
      load_balancing_algorithm = "least_outstanding_requests"
      stickiness               = { type = "lb_cookie", cookie_duration = 1 }
    }
    fn = {
      target_type  = "lambda"
      health_check = { enabled = false }
      targets      = { f = { target_id = "arn:aws:lambda:us-east-1:123456789012:function:report:live", availability_zone = "all" } }
    }
    fn2 = {
      target_type = "lambda"
      targets     = { f = { target_id = "arn:aws:lambda:us-east-1:123456789012:function:export" } }
    }
    onprem = {
      target_type                       = "ip"
      port                              = 80
      load_balancing_algorithm          = "weighted_random"
      load_balancing_anomaly_mitigation = true
      deregistration_delay              = 0
      targets = {
        dc1 = { target_id = "192.168.50.10", availability_zone = "all" }
        cgn = { target_id = "100.64.1.10", availability_zone = "all" }
        vpc = { target_id = "10.0.1.5" }
      }
    }
  }
  listeners = { http = { port = 80, default_action = { forward = { target_group_key = "web" } } } }
}
