# expect-field: got "TCP"
# expect-rule: listener_protocol must be HTTP, HTTPS or null
module "case_103" {
  source = "../../modules/listener-rules"

  listener_arn      = "arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/app/c103/50dc6c495c0c9188/f2f7dc8efc522ab2"
  listener_protocol = "TCP"
  rules = {
    old = { priority = 10, conditions = { path_pattern = ["/old/*"] }, action = { redirect = { path = "/new/#{path}" } } }
  }
}
