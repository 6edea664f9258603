terraform {
  required_version = ">= 1.9"

  required_providers {
    # aws_vpc_security_group_{ingress,egress}_rule with referenced_security_group_id.
    aws = { source = "hashicorp/aws", version = ">= 5.0" }
  }
}
