# A public hosted zone for local.domain; the module adds the alias record app.<domain> -> ALB.
# On real AWS, delegate the zone from its parent (NS records) for the name to resolve.

resource "aws_route53_zone" "this" {
  #checkov:skip=CKV2_AWS_38:DNSSEC signing needs a KMS key and a delegated parent; out of scope here.
  #checkov:skip=CKV2_AWS_39:Query logging needs a CloudWatch log group in us-east-1; out of scope here.
  name          = local.domain
  force_destroy = true # the module's alias record is removed by Terraform anyway; this covers manual ones
  tags          = local.tags
}
