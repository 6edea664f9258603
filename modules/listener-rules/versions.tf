terraform {
  required_version = ">= 1.9"

  required_providers {
    # Listener rules with all six condition types and weighted forward.
    aws = { source = "hashicorp/aws", version = ">= 5.0" }
  }
}
