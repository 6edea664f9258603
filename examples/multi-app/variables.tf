variable "name" {
  description = "Prefix for every resource name (the ALB is named after it; target groups are \"<name>-<key>-<4 hex digits>\")."
  type        = string
  default     = "alb-multi"
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

variable "domain" {
  description = "Domain of the two apps: shop.<domain> and blog.<domain> are routed by host header."
  type        = string
  default     = "example.com"
}
