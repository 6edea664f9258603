# expect-field: target_groups["web"].health_check.matcher
# expect-rule: HTTP codes 200-499
# The NLB range: an ALB rejects 5XX success codes.
module "case_68" {
  source = "../.."

  name          = "${var.prefix}-c68"
  vpc_id        = local.vpc_id
  subnet_ids    = local.subnet_ids
  target_groups = { web = { port = 80, health_check = { matcher = "200-599" } } }
  listeners     = { http = { port = 80, default_action = { forward = { target_group_key = "web" } } } }
}
