# expect-field: target_groups["fn"].targets has 2
# expect-rule: A lambda target group holds one function
module "case_76" {
  source = "../.."

  name          = "${var.prefix}-c76"
  vpc_id        = local.vpc_id
  subnet_ids    = local.subnet_ids
  target_groups = { fn = { target_type = "lambda", targets = { a = { target_id = "arn:aws:lambda:us-east-1:123456789012:function:report" }, b = { target_id = "arn:aws:lambda:us-east-1:123456789012:function:report:live" } } } }
  listeners     = { http = { port = 80, default_action = { forward = { target_group_key = "fn" } } } }
}
