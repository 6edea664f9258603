locals {
  azs = slice(data.aws_availability_zones.available.names, 0, 2)

  # Stable keys (not list positions) so adding an instance never replaces the others.
  instances = {
    a = { az_index = 0 }
    b = { az_index = 1 }
  }

  ami_id = var.ami_id != null ? var.ami_id : data.aws_ami.al2023[0].id

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

data "aws_availability_zones" "available" {
  #checkov:skip=CKV_AWS_394:Only the first two names are used; a zone AWS adds later sorts after them, so the pair never changes.
  state = "available"
}

data "aws_ami" "al2023" {
  count = var.ami_id == null ? 1 : 0

  most_recent = true
  owners      = ["amazon"]

  filter {
    name   = "name"
    values = ["al2023-ami-2023.*-x86_64"]
  }
}

# --- network: two public subnets for the ALB, two private ones (no route out) for the instances ---

resource "aws_vpc" "this" {
  #checkov:skip=CKV2_AWS_11:VPC flow logs cost money and add nothing to an ALB example.
  cidr_block = "10.0.0.0/16"
  tags       = { Name = "${var.name}-vpc" }
}

# Takes every rule off the default SG so nothing can silently fall back to it.
resource "aws_default_security_group" "this" {
  vpc_id = aws_vpc.this.id
  tags   = { Name = "${var.name}-default" }
}

resource "aws_internet_gateway" "this" {
  vpc_id = aws_vpc.this.id
  tags   = { Name = "${var.name}-igw" }
}

resource "aws_subnet" "public" {
  for_each = local.instances

  vpc_id            = aws_vpc.this.id
  cidr_block        = cidrsubnet(aws_vpc.this.cidr_block, 8, 1 + each.value.az_index)
  availability_zone = local.azs[each.value.az_index]
  tags              = { Name = "${var.name}-public-${each.key}" }
}

resource "aws_subnet" "private" {
  for_each = local.instances

  vpc_id            = aws_vpc.this.id
  cidr_block        = cidrsubnet(aws_vpc.this.cidr_block, 8, 11 + each.value.az_index)
  availability_zone = local.azs[each.value.az_index]
  tags              = { Name = "${var.name}-private-${each.key}" }
}

resource "aws_route_table" "public" {
  vpc_id = aws_vpc.this.id
  tags   = { Name = "${var.name}-public" }

  route {
    cidr_block = "0.0.0.0/0"
    gateway_id = aws_internet_gateway.this.id
  }
}

resource "aws_route_table_association" "public" {
  for_each = aws_subnet.public

  subnet_id      = each.value.id
  route_table_id = aws_route_table.public.id
}

# --- instances: the blue app on port 80 and the green one on 8080, reachable only through the ALB ---

resource "aws_instance" "web" {
  for_each = local.instances

  #checkov:skip=CKV2_AWS_41:The demo app needs no AWS API access, so no instance profile.
  #checkov:skip=CKV_AWS_126:Detailed monitoring costs per instance; 5-minute metrics do for a demo (and moto lacks MonitorInstances).
  ami                    = local.ami_id
  instance_type          = var.instance_type
  subnet_id              = aws_subnet.private[each.key].id
  vpc_security_group_ids = [module.alb.security_group_ids.targets]
  # No associate_public_ip_address: the private subnets never map public IPs, and setting it
  # switches the provider to a network-interface launch that moto answers without the SGs.
  ebs_optimized = true

  user_data = templatefile("${path.module}/user_data.sh.tftpl", {
    apps        = { "80" = "blue", "8080" = "green" }
    health_path = "/health"
  })

  metadata_options {
    http_endpoint = "enabled"
    http_tokens   = "required"
  }

  root_block_device {
    encrypted   = true
    volume_type = "gp3"
    volume_size = 8 # the AL2023 image's size; stated because moto rejects an encrypted root without it
  }

  tags = { Name = "${var.name}-web-${each.key}" }
}

# --- the load balancer ---

# --- the load balancer: every input of the module ---

module "alb" {
  source = "../.."

  name   = var.name
  vpc_id = aws_vpc.this.id
  # Taken from the route table associations so the ALB waits for the internet route: an
  # internet-facing ALB in a VPC without an attached internet gateway fails to create on AWS.
  subnet_ids = [for k in keys(local.instances) : aws_route_table_association.public[k].subnet_id]

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
      targets                  = { for k, i in aws_instance.web : k => { target_id = i.id, port = 80 } }
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
      targets                  = { for k, i in aws_instance.web : k => { target_id = i.id } }
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
