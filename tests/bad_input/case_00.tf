# Control case: a valid call; it must produce no diagnostic.
module "case_00" {
  source = "../.."

  name          = "${var.prefix}-c00"
  vpc_id        = local.vpc_id
  subnet_ids    = local.subnet_ids
  target_groups = { web = { port = 80 } }
  listeners     = { http = { port = 80, default_action = { forward = { target_group_key = "web" } } } }
}
