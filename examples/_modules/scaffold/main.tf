# What every example needs around its load balancer: a VPC with two public subnets (the ALB) and two private ones
# without a route out (the instances), and the demo app on instances that only the ALB's security group reaches.

locals {
  azs    = slice(data.aws_availability_zones.available.names, 0, 2)
  ami_id = var.ami_id != null ? var.ami_id : data.aws_ami.al2023[0].id
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

# One public and one private subnet per availability zone, keyed like the instances ("a", "b").
resource "aws_subnet" "public" {
  for_each = var.instances

  vpc_id            = aws_vpc.this.id
  cidr_block        = cidrsubnet(aws_vpc.this.cidr_block, 8, 1 + each.value)
  availability_zone = local.azs[each.value]
  tags              = { Name = "${var.name}-public-${each.key}" }
}

resource "aws_subnet" "private" {
  for_each = var.instances

  vpc_id            = aws_vpc.this.id
  cidr_block        = cidrsubnet(aws_vpc.this.cidr_block, 8, 11 + each.value)
  availability_zone = local.azs[each.value]
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

resource "aws_instance" "web" {
  for_each = var.instances

  #checkov:skip=CKV2_AWS_41:The demo app needs no AWS API access, so no instance profile.
  #checkov:skip=CKV_AWS_126:Detailed monitoring costs per instance; 5-minute metrics do for a demo (and moto lacks MonitorInstances).
  ami                    = local.ami_id
  instance_type          = var.instance_type
  subnet_id              = aws_subnet.private[each.key].id
  vpc_security_group_ids = var.security_group_ids
  # No associate_public_ip_address: the private subnets never map public IPs, and setting it
  # switches the provider to a network-interface launch that moto answers without the SGs.
  ebs_optimized = true

  user_data = templatefile("${path.module}/user_data.sh.tftpl", {
    apps        = var.apps
    health_path = var.health_path
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
