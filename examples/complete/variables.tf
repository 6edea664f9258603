variable "name" {
  description = "Prefix for every resource name (the ALB is named after it; target groups are \"<name>-<key>-<4 hex digits>\")."
  type        = string
  default     = "alb-complete"
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
  description = "IPv4 CIDRs allowed to reach the ALB listeners (80 and 443)."
  type        = list(string)
  default     = ["0.0.0.0/0"]
}

variable "allowed_ipv6_cidrs" {
  description = "IPv6 CIDRs allowed to reach the ALB listeners (only useful with a dualstack ALB)."
  type        = list(string)
  default     = []
}

variable "office_cidrs" {
  description = "The office's IPv4 ranges: put in a prefix list that may reach the ALB, and the only sources of /reports/*."
  type        = list(string)
  default     = ["198.51.100.0/24"]

  validation {
    condition     = length(var.office_cidrs) > 0 && length(var.office_cidrs) <= 5 && alltrue([for c in var.office_cidrs : can(cidrnetmask(c))])
    error_message = "office_cidrs must hold 1-5 IPv4 CIDRs (prefix list max_entries, and a rule takes at most 5 values)."
  }
}

variable "monitoring_cidrs" {
  description = "IPv4 CIDRs of an external uptime monitor, let in on 443 through an extra SG on the ALB."
  type        = list(string)
  default     = ["192.0.2.0/24"]
}

variable "onprem_ips" {
  description = "Private IPv4 addresses of the on-premises report servers (outside the VPC, reached over VPN/Direct Connect)."
  type        = list(string)
  default     = ["192.168.50.10"]

  validation {
    condition     = length(var.onprem_ips) > 0 && alltrue([for ip in var.onprem_ips : can(cidrhost("${ip}/32", 0))])
    error_message = "onprem_ips must hold at least one IPv4 address, e.g. \"192.168.50.10\"."
  }
}

variable "domain_name" {
  description = "Name of the public hosted zone to create; app.<domain_name> becomes an alias of the ALB. null: \"<name>.example.com\"."
  type        = string
  default     = null
}

variable "log_retention_days" {
  description = "Days to keep the ALB's access logs in S3."
  type        = number
  default     = 30
}

variable "waf_rate_limit" {
  description = "Requests per 5 minutes from one client IP above which the WAF blocks it."
  type        = number
  default     = 1000

  validation {
    condition     = var.waf_rate_limit >= 10 && var.waf_rate_limit <= 2000000000
    error_message = "waf_rate_limit must be between 10 and 2000000000 (AWS WAF limits)."
  }
}

variable "certificate_pem_file" {
  description = "Path to the PEM certificate the HTTPS listener serves by default."
  type        = string
}

variable "private_key_pem_file" {
  description = "Path to the PEM private key of certificate_pem_file."
  type        = string
}

variable "sni_certificate_pem_file" {
  description = "Path to a second PEM certificate, served by SNI to clients asking for its names."
  type        = string
}

variable "sni_private_key_pem_file" {
  description = "Path to the PEM private key of sni_certificate_pem_file."
  type        = string
}
