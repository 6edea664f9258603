# The VPC, its subnets and the two instances, each serving both apps (one port each).
module "scaffold" {
  source = "../_modules/scaffold"

  name               = var.name
  ami_id             = var.ami_id
  apps               = { for app, port in local.apps : tostring(port) => app }
  security_group_ids = [module.alb.security_group_ids.targets]
}

locals {
  # Two apps on the same instances, one port each.
  apps = {
    shop = 8080
    blog = 8081
  }
}

module "alb" {
  source = "../.."

  name       = var.name
  vpc_id     = module.scaffold.vpc_id
  subnet_ids = module.scaffold.public_subnet_ids

  enable_deletion_protection = false

  security_groups = {
    ingress_cidr_ipv4 = var.allowed_cidrs
  }

  # One target group per app; the module opens each app's port (and only it) from the ALB's SG.
  target_groups = {
    for app, port in local.apps : app => {
      port         = port
      health_check = module.scaffold.health_check
      targets      = module.scaffold.targets
    }
  }

  listeners = {
    http = {
      port     = 80
      protocol = "HTTP"
      default_action = {
        fixed_response = { status_code = 404, content_type = "text/plain", message_body = "No app here" }
      }
      # Host rules first: shop.<domain>/blog/... still goes to the shop.
      rules = {
        shop-host = {
          priority   = 10
          conditions = { host_header = ["shop.${var.domain}"] }
          action     = { forward = { target_group_key = "shop" } }
        }
        blog-host = {
          priority   = 20
          conditions = { host_header = ["blog.${var.domain}"] }
          action     = { forward = { target_group_key = "blog" } }
        }
        shop-path = {
          priority   = 30
          conditions = { path_pattern = ["/shop", "/shop/*"] }
          action     = { forward = { target_group_key = "shop" } }
        }
        blog-path = {
          priority   = 40
          conditions = { path_pattern = ["/blog", "/blog/*"] }
          action     = { forward = { target_group_key = "blog" } }
        }
      }
    }
  }
}
