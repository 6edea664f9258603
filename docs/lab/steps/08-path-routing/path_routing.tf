# Step 8: path routing. /mobile goes to the two instances (balanced between them), /desktop to a server in
# your own data centre: a target group of type "ip" whose target lies outside the VPC (availability_zone
# "all"), reached over VPN or Direct Connect.
resource "aws_lb_target_group" "mobile" {
  name     = "${var.name}-mobile"
  vpc_id   = aws_vpc.lab.id
  port     = 80
  protocol = "HTTP"

  health_check {
    path                = "/health"
    interval            = 5
    timeout             = 2
    healthy_threshold   = 2
    unhealthy_threshold = 2
  }
}

resource "aws_lb_target_group_attachment" "mobile" {
  for_each = aws_instance.web

  target_group_arn = aws_lb_target_group.mobile.arn
  target_id        = each.value.id
  port             = 80
}

resource "aws_lb_target_group" "desktop" {
  name        = "${var.name}-desktop"
  vpc_id      = aws_vpc.lab.id
  target_type = "ip"
  port        = 80
  protocol    = "HTTP"

  health_check {
    path                = "/health"
    interval            = 5
    timeout             = 2
    healthy_threshold   = 2
    unhealthy_threshold = 2
  }
}

resource "aws_lb_target_group_attachment" "desktop_onprem" {
  target_group_arn  = aws_lb_target_group.desktop.arn
  target_id         = "192.168.50.10"
  port              = 80
  availability_zone = "all" # an IP outside the VPC (on-prem over VPN/Direct Connect)
}

resource "aws_lb_listener_rule" "mobile" {
  listener_arn = aws_lb_listener.http.arn
  priority     = 20
  condition {
    path_pattern {
      values = ["/mobile", "/mobile/*"]
    }
  }
  action {
    type             = "forward"
    target_group_arn = aws_lb_target_group.mobile.arn
  }
}

resource "aws_lb_listener_rule" "desktop" {
  listener_arn = aws_lb_listener.http.arn
  priority     = 30
  condition {
    path_pattern {
      values = ["/desktop", "/desktop/*"]
    }
  }
  action {
    type             = "forward"
    target_group_arn = aws_lb_target_group.desktop.arn
  }
}

# The ALB's security group only lets it talk to the instances; the on-prem server needs its own egress.
resource "aws_vpc_security_group_egress_rule" "alb_to_onprem" {
  security_group_id = aws_security_group.alb.id
  description       = "HTTP to the on-prem server"
  ip_protocol       = "tcp"
  from_port         = 80
  to_port           = 80
  cidr_ipv4         = "192.168.50.10/32"
}
