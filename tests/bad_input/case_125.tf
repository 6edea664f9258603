# expect-field: listeners["http"].rules["a"].tags["release:"] = "2024.10~rc"|listeners["http"].rules["b"].tags has 51
# expect-rule: Tags must be ELB tags|A resource takes at most 50 tags, those it inherits included
# A "~" in a rule's tag; 41 tags of a rule's own on top of the 10 of the ALB and its listener.
module "case_125" {
  source = "../.."

  name          = "${var.prefix}-c125"
  vpc_id        = local.vpc_id
  subnet_ids    = local.subnet_ids
  target_groups = { web = { port = 80 } }
  listeners = {
    http = {
      port           = 80
      default_action = { forward = { target_group_key = "web" } }
      tags           = { for i in range(5) : "listener-${i}" => "l" }
      rules = {
        a = { priority = 10, conditions = { path_pattern = ["/a"] }, action = { forward = { target_group_key = "web" } }, tags = { "release:" = "2024.10~rc" } }
        b = { priority = 20, conditions = { path_pattern = ["/b"] }, action = { forward = { target_group_key = "web" } }, tags = { for i in range(41) : "rule-${i}" => "r" } }
      }
    }
  }
  tags = { for i in range(5) : "alb-${i}" => "a" }
}
