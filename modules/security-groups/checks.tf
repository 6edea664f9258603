# What the checks in variables.tf read besides the inputs.
locals {
  # ELBv2's tag alphabet (API Reference, Tag): Unicode letters, separators (spaces) and numbers, and _ . : / = + - @.
  tag_pattern = "^[\\p{L}\\p{Z}\\p{N}_.:/=+@-]*$"
}
