# expect-field: got "arn:aws:elasticloadbalancing:ca-central-1:
# expect-rule: load_balancer_arn must be in the provider's partition and region (aws, us-east-1)
# A listener for a load balancer of another region.
module "case_122" {
  source = "../../modules/listener"

  load_balancer_arn = "arn:aws:elasticloadbalancing:ca-central-1:123456789012:loadbalancer/app/c122/50dc6c495c0c9188"
  port              = 80
  default_action    = { fixed_response = { status_code = 404 } }
}
