# expect-field: listeners["https"].certificate_arn = "arn:aws:acm:eu-west-2:|listeners["https"].ssl_policy = "ELBSecurityPolicy-TLS13-1-3-2023-01"|listeners["https"].tags["env"] = "prod/eu "|listeners["alt"].tags has 51
# expect-rule: Certificates must be in the load balancer's partition and, from ACM, its region|ssl_policy must be one of the security policies AWS documents for ALBs|Tags must be ELB tags|A resource takes at most 50 tags, those it inherits included
# A certificate from another region's ACM; a policy name of the right shape that AWS does not have; a trailing space
# in a listener tag; 51 tags on a listener.
module "case_118" {
  source = "../.."

  name          = "${var.prefix}-c118"
  vpc_id        = local.vpc_id
  subnet_ids    = local.subnet_ids
  target_groups = { web = { port = 80 } }
  listeners = {
    https = {
      port            = 443
      protocol        = "HTTPS"
      certificate_arn = "arn:aws:acm:eu-west-2:123456789012:certificate/4a1b2c3d-5e6f-4a7b-8c9d-0e1f2a3b4c5d"
      ssl_policy      = "ELBSecurityPolicy-TLS13-1-3-2023-01"
      default_action  = { forward = { target_group_key = "web" } }
      tags            = { env = "prod/eu " }
    }
    alt = {
      port            = 8443
      protocol        = "HTTPS"
      certificate_arn = "arn:aws:iam::123456789012:server-certificate/shop"
      default_action  = { forward = { target_group_key = "web" } }
      tags            = { for i in range(51) : "l-${i}" => "z" }
    }
  }
}
