terraform {
  required_version = ">= 1.9"

  required_providers {
    # 5.32 added load_balancing_anomaly_mitigation (weighted_random).
    aws = { source = "hashicorp/aws", version = ">= 5.32" }
  }
}
