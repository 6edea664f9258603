# The provider validates ARN syntax; random mock strings would fail it.
mock_resource "aws_lb" {
  defaults = {
    arn      = "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/tt/50dc6c495c0c9188"
    dns_name = "tt-123.us-east-1.elb.amazonaws.com"
    zone_id  = "Z35SXDOTRQ7X7K"
  }
}
mock_resource "aws_lb_target_group" {
  defaults = {
    arn = "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/tt/73e2d6bc24d8a067"
  }
}
mock_resource "aws_lb_listener" {
  defaults = {
    arn = "arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/app/tt/50dc6c495c0c9188/f2f7dc8efc522ab2"
  }
}
mock_resource "aws_lb_listener_rule" {
  defaults = {
    arn = "arn:aws:elasticloadbalancing:us-east-1:123456789012:listener-rule/app/tt/50dc6c495c0c9188/f2f7dc8efc522ab2/9683b2d02a6cabee"
  }
}
# The modules check ARNs against the provider's partition and region: the mock provider is in us-east-1.
mock_data "aws_region" {
  defaults = {
    id   = "us-east-1"
    name = "us-east-1"
  }
}
mock_data "aws_partition" {
  defaults = {
    partition = "aws"
  }
}
