variable "name" {
  description = "Prefix for every resource name (the ALB is named after it; target groups are \"<name>-<key>-<4 hex digits>\")."
  type        = string
  default     = "alb-hardened"
}

variable "region" {
  description = "AWS region to deploy into."
  type        = string
  default     = "us-east-1"
}

variable "ami_id" {
  description = "AMI for the instances. null looks up the latest Amazon Linux 2023 (x86_64) in the region."
  type        = string
  default     = null
}

variable "allowed_cidrs" {
  description = "IPv4 CIDRs allowed to reach the ALB listener."
  type        = list(string)
  default     = ["0.0.0.0/0"]
}

variable "denied_message" {
  description = "Body of the 403 the ALB answers to probes for admin pages and secrets."
  type        = string
  default     = "Access denied"

  validation {
    condition     = length(var.denied_message) <= 1024
    error_message = "denied_message must be at most 1024 bytes (ALB fixed-response limit)."
  }
}
