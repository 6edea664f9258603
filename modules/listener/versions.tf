terraform {
  required_version = ">= 1.9"

  required_providers {
    aws = {
      source = "hashicorp/aws"
      # Listener rules with all six condition types and weighted forward.
      version = ">= 5.0"
    }
  }
}
