# expect-field: vpc_id is not set
# expect-rule: vpc_id is required when the security groups are created
module "case_98" {
  source = "../../modules/security-groups"

  name   = "${var.prefix}-c98"
  vpc_id = null # e.g. a lookup that found nothing
}
