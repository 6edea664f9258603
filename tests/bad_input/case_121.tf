# expect-field: got "arn:aws:elasticloadbalancing:us-west-2:|target_group_arns["cn"] = "arn:aws-cn:elasticloadbalancing:cn-north-1:
# expect-rule: listener_arn must be in the provider's partition and region (aws, us-east-1)|target_group_arns must be in the provider's partition and region (aws, us-east-1)
# Rules added to a listener of another region, forwarding to a target group of another partition.
module "case_121" {
  source = "../../modules/listener-rules"

  listener_arn      = "arn:aws:elasticloadbalancing:us-west-2:123456789012:listener/app/c121/50dc6c495c0c9188/f2f7dc8efc522ab2"
  target_group_arns = { cn = "arn:aws-cn:elasticloadbalancing:cn-north-1:123456789012:targetgroup/c121/73e2d6bc24d8a067" }
  rules = {
    r = { priority = 1, conditions = { path_pattern = ["/x"] }, action = { forward = { target_group_key = "cn" } } }
  }
}
