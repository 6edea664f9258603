# Step 2: a target group with the two instances. Health checks (GET /health) are fast - every 5 s, 2 in a
# row - so the lab shows a failing instance leave and come back within seconds.
resource "aws_lb_target_group" "web" {
  name     = "${var.name}-web"
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

resource "aws_lb_target_group_attachment" "web" {
  for_each = aws_instance.web

  target_group_arn = aws_lb_target_group.web.arn
  target_id        = each.value.id
  port             = 80
}
