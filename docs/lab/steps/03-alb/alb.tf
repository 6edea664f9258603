# Step 3: the load balancer in both subnets, with an HTTP listener that forwards to the target group.
resource "aws_lb" "lab" {
  name               = "${var.name}-alb"
  load_balancer_type = "application"
  internal           = false
  security_groups    = [aws_security_group.alb.id]
  subnets            = [for s in aws_subnet.public : s.id]

  enable_deletion_protection = false
  drop_invalid_header_fields = true
}

resource "aws_lb_listener" "http" {
  load_balancer_arn = aws_lb.lab.arn
  port              = 80
  protocol          = "HTTP"

  default_action {
    type             = "forward"
    target_group_arn = aws_lb_target_group.web.arn
  }
}

output "alb_name" {
  value = aws_lb.lab.name
}

output "dns_name" {
  value = aws_lb.lab.dns_name
}
