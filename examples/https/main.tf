# The VPC, its subnets and the two web instances (the demo app on port 80), shared by every example.
module "scaffold" {
  source = "../_modules/scaffold"

  name               = var.name
  ami_id             = var.ami_id
  security_group_ids = [module.alb.security_group_ids.targets]
}

# Certificates imported from PEM files (self-signed is fine for a demo; ACM accepts it).

resource "aws_acm_certificate" "default" {
  certificate_body = file(var.certificate_pem_file)
  private_key      = file(var.private_key_pem_file)
  tags             = { Name = "${var.name}-default" }

  lifecycle {
    create_before_destroy = true
  }
}

# Served by SNI to clients asking for the names in this certificate.
resource "aws_acm_certificate" "sni" {
  certificate_body = file(var.sni_certificate_pem_file)
  private_key      = file(var.sni_private_key_pem_file)
  tags             = { Name = "${var.name}-sni" }

  lifecycle {
    create_before_destroy = true
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

  target_groups = {
    web = {
      port         = 80
      health_check = module.scaffold.health_check
      targets      = module.scaffold.targets
    }
  }

  listeners = {
    # Plain HTTP only ever answers with a permanent redirect to the same URL over HTTPS.
    http = {
      port     = 80
      protocol = "HTTP"
      default_action = {
        redirect = { protocol = "HTTPS", port = "443", status_code = "HTTP_301" }
      }
    }

    # TLS ends at the ALB; the instances get plain HTTP inside the VPC.
    https = {
      port            = 443
      protocol        = "HTTPS"
      certificate_arn = aws_acm_certificate.default.arn
      additional_certificate_arns = {
        sni = aws_acm_certificate.sni.arn
      }
      ssl_policy = var.ssl_policy
      default_action = {
        forward = { target_group_key = "web" }
      }
    }
  }
}
