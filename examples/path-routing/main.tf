locals {
  azs = slice(data.aws_availability_zones.available.names, 0, 2)

  # Stable keys (not list positions) so adding an instance never replaces the others.
  instances = {
    a = { az_index = 0 }
    b = { az_index = 1 }
  }

  ami_id = var.ami_id != null ? var.ami_id : data.aws_ami.al2023[0].id

  # Fast checks so a failed target leaves the group within ~10 s (2 failures x 5 s).
  fast_health_check = {
    path                = "/health"
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

# --- instances: the demo app on port 80, reachable only through the ALB's security group ---

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
    apps        = { "80" = "mobile" }
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

# --- the load balancer ---

module "alb" {
  source = "../.."

  name   = var.name
  vpc_id = aws_vpc.this.id
  # Taken from the route table associations so the ALB waits for the internet route: an
  # internet-facing ALB in a VPC without an attached internet gateway fails to create on AWS.
  subnet_ids = [for k in keys(local.instances) : aws_route_table_association.public[k].subnet_id]

  enable_deletion_protection = false

  security_groups = {
    ingress_cidr_ipv4 = var.allowed_cidrs
  }

  target_groups = {
    mobile = {
      target_type  = "instance"
      port         = 80
      protocol     = "HTTP"
      health_check = local.fast_health_check
      targets      = { for k, i in aws_instance.web : k => { target_id = i.id } }
    }

    # On-premises servers reached over VPN/Direct Connect: IP targets outside the VPC's CIDR
    # must be registered with availability_zone = "all".
    desktop = {
      target_type  = "ip"
      port         = 80
      protocol     = "HTTP"
      health_check = local.fast_health_check
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
