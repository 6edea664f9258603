# Control case: valid neighbours of the root module's checks (bucket name and prefix, regional web ACL of the
# provider's region, AAAA on a dualstack ALB, zone IDs and record names, tags of ELB's whole alphabet, a name starting
# with "sg" but not "sg-", existing security groups and prefix lists given as literal IDs of both lengths); it must
# produce no diagnostic.
module "case_104" {
  source = "../.."

  name            = "sgweb-${var.prefix}-c104"
  vpc_id          = local.vpc_id
  vpc_cidr_blocks = ["10.0.0.0/16", "100.64.0.0/16"]
  subnet_ids      = local.subnet_ids
  ip_address_type = "dualstack"
  access_logs     = { bucket = "my-alb-logs.example-123", prefix = "prod/alb" }
  security_groups = {
    create                            = false
    alb_security_group_id             = "sg-0aaaaaaaaaaaaaaaa"
    target_security_group_id          = "sg-0bbbbbbbbbbbbbbbb"
    ingress_cidr_ipv4                 = ["0.0.0.0/0"]
    ingress_cidr_ipv6                 = ["::/0"]
    ingress_prefix_list_ids           = ["pl-63a5400a"]
    ingress_prefix_lists              = { office = "pl-0123456789abcdef0" }
    additional_alb_security_group_ids = ["sg-0ccccccc", "sg-0123456789abcdef0"]
  }
  target_groups     = { web = { port = 80 } }
  listeners         = { http = { port = 80, default_action = { forward = { target_group_key = "web" } } } }
  associate_web_acl = true
  web_acl_arn       = "arn:aws:wafv2:us-east-1:123456789012:regional/webacl/site/0f6b6bd8-7c7a-4d4b-9d57-1a2b3c4d5e6f"
  route53_records = {
    www  = { zone_id = "Z0000000000000", name = "www.example.com" }
    www6 = { zone_id = "Z0000000000000", name = "www.example.com", type = "AAAA" }
    api  = { zone_id = "/hostedzone/Z0123456789ABCDEFGHIJ", name = "api.example.com." }
  }
  tags = merge({ Project = "shop", "team:owner" = "platform", "Zürich Team" = "a:b/c=d+e-f@g_h.i", empty = "" },
  { for i in range(45) : "label-${i}" => "x" })
}
