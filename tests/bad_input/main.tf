# Bad-input fixture: one root configuration, one module call per case (case_NN.tf), planned ONCE.
# Each case file names in its header the field and the rule its error must mention; the test
# attributes every diagnostic to its case by the file it points at.

terraform {
  required_version = ">= 1.9"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 5.0"
    }
  }
}

provider "aws" {
  region = "us-east-1"
}

variable "prefix" {
  description = "Unique per run: every case names its ALB \"<prefix>-cNN\"."
  type        = string
}

locals {
  # Never created: a plan that fails validation creates nothing, and valid cases are only planned.
  vpc_id     = "vpc-0badb0d0000000000"
  subnet_ids = ["subnet-0badb0d000000000a", "subnet-0badb0d000000000b"]
}
