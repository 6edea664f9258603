# What the checks in variables.tf read besides the inputs.
locals {
  # ELBv2's tag alphabet (API Reference, Tag): Unicode letters, separators (spaces) and numbers, and _ . : / = + - @.
  tag_pattern = "^[\\p{L}\\p{Z}\\p{N}_.:/=+@-]*$"

  # The security policies AWS documents for ALBs: their one home is ssl-policies.json beside this file.
  ssl_policies = jsondecode(file("${path.module}/ssl-policies.json")).policies
}

# The provider's partition and region, read at plan unless the caller passes them: ARNs the module is given must be
# in them. The region's name is its id (the attribute every provider version has).
data "aws_partition" "current" {
  count = var.partition_and_region == null ? 1 : 0
}
data "aws_region" "current" {
  count = var.partition_and_region == null ? 1 : 0
}

locals {
  partition = var.partition_and_region != null ? var.partition_and_region.partition : data.aws_partition.current[0].partition
  region    = var.partition_and_region != null ? var.partition_and_region.region : data.aws_region.current[0].id
}
