# expect-field: name = "_c97"
# expect-rule: Security group name prefix must start with a letter or digit
module "case_97" {
  source = "../../modules/security-groups"

  name   = "_c97"
  vpc_id = local.vpc_id
}
