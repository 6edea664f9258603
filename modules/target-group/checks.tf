# What the checks in variables.tf read besides the inputs.
locals {
  # ELBv2's tag alphabet (API Reference, Tag): Unicode letters, separators (spaces) and numbers, and _ . : / = + - @.
  tag_pattern = "^[\\p{L}\\p{Z}\\p{N}_.:/=+@-]*$"
}

# The provider's partition and region, read at plan: ARNs the module is given must be in them. The region's
# name is its id (the attribute every provider version has).
data "aws_partition" "current" {}
data "aws_region" "current" {}
