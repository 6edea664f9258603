# The VPC, its subnets and the two instances: the blue app on port 80, the green one on 8080.
module "scaffold" {
  source = "../_modules/scaffold"

  name               = var.name
  ami_id             = var.ami_id
  apps               = { "80" = "blue", "8080" = "green" }
  security_group_ids = [module.alb.security_group_ids.targets]
}

locals {
  domain = coalesce(var.domain_name, "${var.name}.example.com")

  tags = {
    Example = "complete"
    Stack   = var.name
  }

  health_check = {
    enabled             = true
    path                = "/health"
    port                = "traffic-port"
    protocol            = "HTTP"
    matcher             = "200"
    interval            = 5
    timeout             = 2
    healthy_threshold   = 2
    unhealthy_threshold = 2
  }
}

# The load balancer: every input of the module.
module "alb" {
  source = "../.."

  name            = var.name
  vpc_id          = module.scaffold.vpc_id
  vpc_cidr_blocks = [module.scaffold.vpc_cidr_block]
  subnet_ids      = module.scaffold.public_subnet_ids

  internal                   = false
  ip_address_type            = "ipv4"
  idle_timeout               = 120
  enable_deletion_protection = false
  drop_invalid_header_fields = true
  desync_mitigation_mode     = "strictest"
  xff_header_processing_mode = "append"
  preserve_host_header       = true
  enable_http2               = true

  # Referencing the policy (not the bucket) makes the ALB wait until ELB may write: AWS checks
  # the bucket policy when access logging is switched on.
  access_logs = {
    bucket  = aws_s3_bucket_policy.logs.bucket
    prefix  = local.log_prefix
    enabled = true
  }

  security_groups = {
    create                            = true
    ingress_cidr_ipv4                 = var.allowed_cidrs
    ingress_cidr_ipv6                 = var.allowed_ipv6_cidrs
    ingress_prefix_lists              = { office = aws_ec2_managed_prefix_list.office.id }
    additional_alb_security_group_ids = [aws_security_group.monitoring.id]
  }

  target_groups = {
    # Current release: round robin, ramped up over 30 s after registration, lb cookie stickiness.
    blue = {
      target_type              = "instance"
      port                     = 80
      protocol                 = "HTTP"
      protocol_version         = "HTTP1"
      health_check             = local.health_check
      load_balancing_algorithm = "round_robin"
      slow_start               = 30
      deregistration_delay     = 30
      stickiness               = { type = "lb_cookie", cookie_duration = 3600 }
      targets                  = { for k, id in module.scaffold.instance_ids : k => { target_id = id, port = 80 } }
      tags                     = { Release = "blue" }
    }

    # Next release (API): least outstanding requests suits uneven request cost; sessions follow
    # the app's own cookie.
    green = {
      target_type              = "instance"
      port                     = 8080
      protocol                 = "HTTP"
      health_check             = merge(local.health_check, { matcher = "200-299" })
      load_balancing_algorithm = "least_outstanding_requests"
      deregistration_delay     = 10
      stickiness               = { type = "app_cookie", cookie_name = "APPSESSION", cookie_duration = 86400 }
      targets                  = { for k, id in module.scaffold.instance_ids : k => { target_id = id } }
      tags                     = { Release = "green" }
    }

    # On-premises reporting servers over VPN/Direct Connect (outside the VPC: availability_zone "all").
    onprem = {
      target_type                       = "ip"
      port                              = 80
      protocol                          = "HTTP"
      health_check                      = local.health_check
      load_balancing_algorithm          = "weighted_random"
      load_balancing_anomaly_mitigation = true
      deregistration_delay              = 0
      targets = {
        for ip in var.onprem_ips : ip => { target_id = ip, port = 80, availability_zone = "all" }
      }
    }
  }

  listeners = {
    http = {
      port     = 80
      protocol = "HTTP"
      default_action = {
        redirect = { protocol = "HTTPS", port = "443", status_code = "HTTP_301" }
      }
    }

    https = {
      port            = 443
      protocol        = "HTTPS"
      certificate_arn = aws_acm_certificate.default.arn
      additional_certificate_arns = {
        sni = aws_acm_certificate.sni.arn
      }
      ssl_policy = "ELBSecurityPolicy-TLS13-1-2-2021-06"
      default_action = {
        forward = { target_group_key = "blue" }
      }

      # One rule per condition type, each a different action.
      rules = {
        api = {
          priority = 10
          conditions = {
            path_pattern        = ["/api/*"]
            http_request_method = ["GET", "POST", "PUT"]
          }
          action = { forward = { target_group_key = "green" } }
        }
        canary = {
          priority   = 20
          conditions = { http_headers = { "X-Canary" = ["true", "yes"] } }
          action = {
            weighted_forward = {
              target_groups = {
                blue  = { weight = 80 }
                green = { weight = 20 }
              }
              stickiness = { enabled = true, duration = 600 }
            }
          }
        }
        beta = {
          priority   = 30
          conditions = { query_strings = [{ key = "version", value = "beta" }, { value = "preview" }] }
          action     = { forward = { target_group_key = "green" } }
        }
        office-reports = {
          priority = 40
          conditions = {
            source_ip    = var.office_cidrs
            path_pattern = ["/reports/*"]
          }
          action = { forward = { target_group_key = "onprem" } }
        }
        legacy-host = {
          priority   = 50
          conditions = { host_header = ["legacy.${local.domain}"] }
          action = {
            redirect = { host = "www.${local.domain}", path = "/#{path}", query = "#{query}", status_code = "HTTP_302" }
          }
        }
        admin = {
          priority   = 60
          conditions = { path_pattern = ["/admin*"] }
          action = {
            fixed_response = { status_code = 403, content_type = "application/json", message_body = "{\"error\":\"forbidden\"}" }
          }
        }
      }
    }
  }

  associate_web_acl = true
  web_acl_arn       = aws_wafv2_web_acl.this.arn

  route53_records = {
    app = { zone_id = aws_route53_zone.this.zone_id, name = "app.${local.domain}" }
  }

  tags = local.tags
}
