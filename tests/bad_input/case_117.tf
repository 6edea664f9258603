# expect-field: target_groups["thumbs"].targets["fn"].target_id = "arn:aws:lambda:ap-southeast-2:|target_groups["api"].tags["Team"] = "ops;1"|target_groups["bulk"].tags has 51
# expect-rule: A Lambda target must be in the load balancer's partition and region (aws, us-east-1)|Tags must be ELB tags|A resource takes at most 50 tags, those it inherits included
# A function of another region; a ";" in a target group's tag; 21 tags of a group's own on top of the ALB's 30.
module "case_117" {
  source = "../.."

  name       = "${var.prefix}-c117"
  vpc_id     = local.vpc_id
  subnet_ids = local.subnet_ids
  target_groups = {
    thumbs = { target_type = "lambda", targets = { fn = { target_id = "arn:aws:lambda:ap-southeast-2:123456789012:function:thumbnail" } } }
    api    = { port = 80, tags = { Team = "ops;1" } }
    bulk   = { port = 81, tags = { for i in range(21) : "own-${i}" => "y" } }
  }
  listeners = { http = { port = 80, default_action = { forward = { target_group_key = "api" } } } }
  tags      = { for i in range(30) : "shared-${i}" => "x" }
}
