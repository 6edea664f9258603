# expect-field: vpc_id = "vpc-main"|tags["Owner"] = "team#3"|tags has 50|vpc_id = "vpc-1234567"
# expect-rule: vpc_id must be a VPC ID|Tags must be ELB tags|A resource takes at most 50 tags, the Name tag the module adds included|vpc_id must be a VPC ID
# The submodules on their own: a VPC's name in place of its ID (security groups, target group), a "#" in a tag and
# 50 tags plus the Name tag the module adds.
module "case_123_sg" {
  source = "../../modules/security-groups"

  name   = "c123"
  vpc_id = "vpc-main"
  tags   = merge({ Owner = "team#3" }, { for i in range(49) : "k${i}" => "v" })
}

module "case_123_tg" {
  source = "../../modules/target-group"

  name   = "c123"
  vpc_id = "vpc-1234567"
  port   = 80
}
