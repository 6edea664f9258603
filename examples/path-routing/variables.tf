variable "name" {
  description = "Prefix for every resource name (the ALB is named after it; target groups are \"<name>-<key>-<4 hex digits>\")."
  type        = string
  default     = "alb-paths"
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

variable "onprem_ips" {
  description = "Private IPv4 addresses of the on-premises desktop servers (outside the VPC, reached over VPN/Direct Connect)."
  type        = list(string)
  default     = ["192.168.50.10"]

  validation {
    condition     = length(var.onprem_ips) > 0 && alltrue([for ip in var.onprem_ips : can(cidrhost("${ip}/32", 0))])
    error_message = "onprem_ips must hold at least one IPv4 address, e.g. \"192.168.50.10\"."
  }
}
