# Step 9: several apps on one instance. Each instance already runs shop on port 8080 and blog on 8081
# (step 0). One target group per app registers the same two instances on that app's port, and one rule
# per app picks the group by path. The security groups open exactly these ports, ALB to instances only.
locals {
  apps = {
    shop = { port = 8080, priority = 40 }
    blog = { port = 8081, priority = 50 }
  }
}

resource "aws_lb_target_group" "app" {
  for_each = local.apps

  name     = "${var.name}-${each.key}"
  vpc_id   = aws_vpc.lab.id
  port     = each.value.port
  protocol = "HTTP"

  health_check {
    path                = "/health"
    interval            = 5
    timeout             = 2
    healthy_threshold   = 2
    unhealthy_threshold = 2
  }
}

# Every (app, instance) pair: shop/a, shop/b, blog/a, blog/b.
resource "aws_lb_target_group_attachment" "app" {
  for_each = {
    for pair in setproduct(keys(local.apps), keys(aws_instance.web)) : "${pair[0]}/${pair[1]}" => {
      app = pair[0]
      web = pair[1]
    }
  }

  target_group_arn = aws_lb_target_group.app[each.value.app].arn
  target_id        = aws_instance.web[each.value.web].id
  port             = local.apps[each.value.app].port
}

resource "aws_lb_listener_rule" "app" {
  for_each = local.apps

  listener_arn = aws_lb_listener.http.arn
  priority     = each.value.priority
  condition {
    path_pattern {
      values = ["/${each.key}", "/${each.key}/*"]
    }
  }
  action {
    type             = "forward"
    target_group_arn = aws_lb_target_group.app[each.key].arn
  }
}

# No descriptions: moto drops them on SG-referencing rules and the next plan would show a diff.
resource "aws_vpc_security_group_ingress_rule" "instances_apps" {
  security_group_id            = aws_security_group.instances.id
  ip_protocol                  = "tcp"
  from_port                    = 8080
  to_port                      = 8081
  referenced_security_group_id = aws_security_group.alb.id
}

resource "aws_vpc_security_group_egress_rule" "alb_to_apps" {
  security_group_id            = aws_security_group.alb.id
  ip_protocol                  = "tcp"
  from_port                    = 8080
  to_port                      = 8081
  referenced_security_group_id = aws_security_group.instances.id
}
