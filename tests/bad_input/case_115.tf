# expect-stage: validate (the root module's own check of a literal: reported while Terraform validates)
# expect-field: tags has 50
# expect-rule: A resource takes at most 50 tags, the Name tag the module adds included
# 50 tags of the caller's and the Name tag the module adds: 51 on the load balancer.
module "case_115" {
  source = "../.."

  name          = "${var.prefix}-c115"
  vpc_id        = local.vpc_id
  subnet_ids    = local.subnet_ids
  target_groups = { web = { port = 80 } }
  listeners     = { http = { port = 80, default_action = { forward = { target_group_key = "web" } } } }
  tags          = { for i in range(50) : "label-${i}" => "x" }
}
