variable "name" {
  description = "Prefix for every resource name (the ALB is named after it; target groups are \"<name>-<key>-<4 hex digits>\")."
  type        = string
  default     = "alb-https"
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

variable "ssl_policy" {
  description = "TLS policy of the HTTPS listener (TLS 1.3 with 1.2 fallback by default)."
  type        = string
  default     = "ELBSecurityPolicy-TLS13-1-2-2021-06"
}
