# A regional web ACL: allow by default, block any client IP above var.waf_rate_limit requests per 5 minutes.

resource "aws_wafv2_web_acl" "this" {
  #checkov:skip=CKV2_AWS_31:WAF logging needs a Firehose/S3/CloudWatch destination; out of scope here.
  #checkov:skip=CKV_AWS_192:Log4j managed rules cost per request; the example shows the association, not a rule set.
  name  = "${var.name}-waf"
  scope = "REGIONAL"
  tags  = local.tags

  default_action {
    allow {}
  }

  rule {
    name     = "rate-limit-per-ip"
    priority = 1

    action {
      block {}
    }

    statement {
      rate_based_statement {
        limit              = var.waf_rate_limit
        aggregate_key_type = "IP"
      }
    }

    visibility_config {
      cloudwatch_metrics_enabled = true
      metric_name                = "${var.name}-rate-limit"
      sampled_requests_enabled   = true
    }
  }

  visibility_config {
    cloudwatch_metrics_enabled = true
    metric_name                = "${var.name}-waf"
    sampled_requests_enabled   = true
  }
}
