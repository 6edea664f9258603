# expect-field: got "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/net/
# expect-rule: load_balancer_arn must be an Application Load Balancer ARN
# A Network Load Balancer's ARN.
module "case_101" {
  source = "../../modules/listener"

  load_balancer_arn = "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/net/c101/50dc6c495c0c9188"
  port              = 80
  default_action    = { fixed_response = { status_code = 404 } }
}
