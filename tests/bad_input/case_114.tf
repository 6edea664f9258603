# expect-stage: validate (the root module's own check of a literal: reported while Terraform validates)
# expect-field: tags["cost-center"] = "R&D"|tags["env"] = " staging"
# expect-rule: Tags must be ELB tags|Tags must be ELB tags
# An ampersand (outside ELB's tag alphabet) and a leading space.
module "case_114" {
  source = "../.."

  name          = "${var.prefix}-c114"
  vpc_id        = local.vpc_id
  subnet_ids    = local.subnet_ids
  target_groups = { web = { port = 80 } }
  listeners     = { http = { port = 80, default_action = { forward = { target_group_key = "web" } } } }
  tags          = { "cost-center" = "R&D", env = " staging", "Zürich Team" = "a:b/c=d+e-f@g_h.i" }
}
