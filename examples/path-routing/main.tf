# The VPC, its subnets and the two instances serving "mobile" on port 80, shared by every example.
module "scaffold" {
  source = "../_modules/scaffold"

  name               = var.name
  ami_id             = var.ami_id
  apps               = { "80" = "mobile" }
  security_group_ids = [module.alb.security_group_ids.targets]
}

module "alb" {
  source = "../.."

  name                       = var.name
  vpc_id                     = module.scaffold.vpc_id
  subnet_ids                 = module.scaffold.public_subnet_ids
  enable_deletion_protection = false
  # Lets the module check at plan that on-premises addresses lie outside the VPC.
  vpc_cidr_blocks = [module.scaffold.vpc_cidr_block]

  security_groups = {
    ingress_cidr_ipv4 = var.allowed_cidrs
  }

  target_groups = {
    mobile = {
      target_type  = "instance"
      port         = 80
      protocol     = "HTTP"
      health_check = module.scaffold.health_check
      targets      = module.scaffold.targets
    }

    # On-premises servers reached over VPN/Direct Connect: IP targets outside the VPC's CIDR
    # must be registered with availability_zone = "all".
    desktop = {
      target_type  = "ip"
      port         = 80
      protocol     = "HTTP"
      health_check = module.scaffold.health_check
      targets = {
        # Keyed by the address itself: removing one IP never re-keys the others.
        for ip in var.onprem_ips : ip => { target_id = ip, availability_zone = "all" }
      }
    }
  }

  listeners = {
    http = {
      port     = 80
      protocol = "HTTP"
      default_action = {
        fixed_response = { status_code = 404, content_type = "text/plain", message_body = "Not found" }
      }
      rules = {
        mobile = {
          priority   = 10
          conditions = { path_pattern = ["/mobile*"] }
          action     = { forward = { target_group_key = "mobile" } }
        }
        desktop = {
          priority   = 20
          conditions = { path_pattern = ["/desktop*"] }
          action     = { forward = { target_group_key = "desktop" } }
        }
      }
    }
  }
}
