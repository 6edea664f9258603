terraform {
  required_version = ">= 1.9"

  required_providers {
    aws = {
      source = "hashicorp/aws"
      # aws_vpc_security_group_{ingress,egress}_rule with referenced_security_group_id.
      version = ">= 5.0"
    }
  }
}
