# expect-field: vpc_id is not set
# expect-rule: vpc_id is required for instance and ip target groups
module "case_100" {
  source = "../../modules/target-group"

  name   = "${var.prefix}-c100"
  vpc_id = null # e.g. a lookup that found nothing
  port   = 80
}
