terraform {
  # 1.9: validations may compare two inputs (an HTTPS listener's certificate, a target group's port and type), so
  # every such check fails at plan in the module that owns the field.
  required_version = ">= 1.9"

  required_providers {
    # 5.32 added load_balancing_anomaly_mitigation (weighted_random). No upper bound on purpose.
    aws = { source = "hashicorp/aws", version = ">= 5.32" }
  }
}
