# expect-field: target_groups["green"] -> "
# expect-rule: Target group names must be unique
module "case_59" {
  source = "../.."

  name       = "${var.prefix}-c59"
  vpc_id     = local.vpc_id
  subnet_ids = local.subnet_ids
  target_groups = {
    blue  = { name = "${var.prefix}-c59-same", port = 80 }
    green = { name = "${var.prefix}-c59-same", port = 80 }
  }
  listeners = { http = { port = 80, default_action = { forward = { target_group_key = "blue" } } } }
}
