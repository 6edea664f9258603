# expect-field: got "arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/net/|target_group_arns["web"] = "web"
# expect-rule: listener_arn must be an Application Load Balancer listener ARN|target_group_arns values must be target group ARNs
# A Network Load Balancer listener, and a target group given by name instead of ARN.
module "case_102" {
  source = "../../modules/listener-rules"

  listener_arn      = "arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/net/c102/50dc6c495c0c9188/f2f7dc8efc522ab2"
  target_group_arns = { web = "web" }
  rules = {
    api = { priority = 10, conditions = { path_pattern = ["/api/*"] }, action = { forward = { target_group_key = "web" } } }
  }
}
