# The VPC, its subnets and the two web instances (the demo app on port 80), shared by every example.
module "scaffold" {
  source = "../_modules/scaffold"

  name   = var.name
  ami_id = var.ami_id
  # The instances carry the module's targets SG: only the ALB reaches them.
  security_group_ids = [module.alb.security_group_ids.targets]
}

module "alb" {
  source = "../.."

  name                       = var.name
  vpc_id                     = module.scaffold.vpc_id
  subnet_ids                 = module.scaffold.public_subnet_ids
  enable_deletion_protection = false

  security_groups = {
    ingress_cidr_ipv4 = var.allowed_cidrs
  }

  target_groups = {
    web = {
      target_type = "instance"
      port        = 80
      protocol    = "HTTP"
      health_check = {
        path                = "/health"
        interval            = 5
        timeout             = 2
        healthy_threshold   = 2
        unhealthy_threshold = 2
      }
      # The same instances, registered as targets.
      targets = { for k, id in module.scaffold.instance_ids : k => { target_id = id } }
    }
  }

  listeners = {
    http = {
      port     = 80
      protocol = "HTTP"
      default_action = {
        forward = { target_group_key = "web" }
      }
    }
  }
}
