# expect-field: security_groups.alb_security_group_id = "shop-alb"|security_groups.ingress_prefix_list_ids[0] = "com.amazonaws.us-east-1.s3"|security_groups.ingress_prefix_lists["office"] = "office-ranges"
# expect-rule: Existing security groups are given by ID|ingress_prefix_list_ids must hold prefix list IDs|ingress_prefix_lists must map your names to prefix list IDs
# An existing security group by its name, and prefix lists by their names (an AWS-managed one and one's own).
module "case_117" {
  source = "../.."

  name          = "${var.prefix}-c117"
  vpc_id        = local.vpc_id
  subnet_ids    = local.subnet_ids
  target_groups = { web = { port = 80 } }
  listeners     = { http = { port = 80, default_action = { forward = { target_group_key = "web" } } } }
  security_groups = {
    create                   = false
    alb_security_group_id    = "shop-alb"
    target_security_group_id = "sg-0bbbbbbbbbbbbbbbb"
    ingress_prefix_list_ids  = ["com.amazonaws.us-east-1.s3"]
    ingress_prefix_lists     = { office = "office-ranges" }
  }
}
