# The VPC, its subnets and the two web instances (the demo app on port 80), shared by every example.
module "scaffold" {
  source = "../_modules/scaffold"

  name               = var.name
  ami_id             = var.ami_id
  security_group_ids = [module.alb.security_group_ids.targets]
}

module "alb" {
  source = "../.."

  name       = var.name
  vpc_id     = module.scaffold.vpc_id
  subnet_ids = module.scaffold.public_subnet_ids

  enable_deletion_protection = false

  # Hardening step 1: the module's default SG chaining. The targets' SG admits only the ALB's SG,
  # on the target group's port; the ALB's SG may only talk to the targets' SG. Only the listener
  # port is open to var.allowed_cidrs. The attributes below are the module's defaults, spelled out.
  security_groups = {
    create            = true
    ingress_cidr_ipv4 = var.allowed_cidrs
  }
  drop_invalid_header_fields = true
  desync_mitigation_mode     = "strictest"

  target_groups = {
    web = {
      port         = 80
      health_check = module.scaffold.health_check
      targets      = module.scaffold.targets
    }
  }

  # Hardening step 2: an allow-list. Probes for admin pages and secrets get an error text from the
  # ALB itself (they never reach an instance); whatever no rule names gets the default answer.
  listeners = {
    http = {
      port     = 80
      protocol = "HTTP"
      default_action = {
        fixed_response = { status_code = 404, content_type = "text/plain", message_body = "Not found" }
      }
      rules = {
        deny-probes = {
          priority   = 10
          conditions = { path_pattern = ["/admin*", "/.env", "/.git/*", "/wp-login.php"] }
          action = {
            fixed_response = { status_code = 403, content_type = "text/plain", message_body = var.denied_message }
          }
        }
        app = {
          priority = 20
          conditions = {
            path_pattern        = ["/", "/app", "/app/*"]
            http_request_method = ["GET", "HEAD"]
          }
          action = { forward = { target_group_key = "web" } }
        }
      }
    }
  }
}
