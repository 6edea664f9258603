terraform {
  required_version = ">= 1.9"

  required_providers {
    aws = {
      source = "hashicorp/aws"
      # 5.32 added load_balancing_anomaly_mitigation (weighted_random).
      version = ">= 5.32"
    }
  }
}
