# expect-stage: validate (the root module's own check of a literal: reported while Terraform validates)
# expect-field: got "arn:aws:ec2:us-east-1:123456789012:vpc/vpc-0c0ffee0000000000"|subnet_ids[1] = "us-east-1b-private"
# expect-rule: vpc_id must be a VPC ID|subnet_ids must hold subnet IDs
# The VPC's ARN where its ID belongs, and a subnet's name instead of its ID.
module "case_109" {
  source = "../.."

  name          = "${var.prefix}-c109"
  vpc_id        = "arn:aws:ec2:us-east-1:123456789012:vpc/vpc-0c0ffee0000000000"
  subnet_ids    = ["subnet-0badb0d000000000a", "us-east-1b-private"]
  target_groups = { web = { port = 80 } }
  listeners     = { http = { port = 80, default_action = { forward = { target_group_key = "web" } } } }
}
