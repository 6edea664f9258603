variable "name" {
  description = "Prefix for every resource name; make it unique per participant."
  type        = string
  default     = "lab"
}

variable "region" {
  description = "AWS region (the offline lab ignores it)."
  type        = string
  default     = "us-east-1"
}

variable "ami_id" {
  description = "AMI for the two web instances; null looks up Amazon Linux 2023 on real AWS."
  type        = string
  default     = null
}
