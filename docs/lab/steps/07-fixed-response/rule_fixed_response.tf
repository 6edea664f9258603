# Step 7: requests for /admin and below never reach an instance: the ALB itself answers 403.
resource "aws_lb_listener_rule" "admin_blocked" {
  listener_arn = aws_lb_listener.http.arn
  priority     = 10

  condition {
    path_pattern {
      values = ["/admin", "/admin/*"]
    }
  }

  action {
    type = "fixed-response"
    fixed_response {
      content_type = "text/plain"
      status_code  = "403"
      message_body = "Access denied: the admin pages are not served here."
    }
  }
}
