# expect-field: tags["Stage"] = "beta!"|tags has 51
# expect-rule: Tags must be ELB tags|A resource takes at most 50 tags, those it inherits included
# Rules added on their own to a listener: an exclamation mark in a tag, and 51 tags for every rule.
module "case_126" {
  source = "../../modules/listener-rules"

  listener_arn = "arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/app/c126/50dc6c495c0c9188/f2f7dc8efc522ab2"
  tags         = merge({ Stage = "beta!" }, { for i in range(50) : "t${i}" => "v" })
  rules = {
    r = { priority = 1, conditions = { path_pattern = ["/x"] }, action = { fixed_response = { status_code = "404" } } }
  }
}
