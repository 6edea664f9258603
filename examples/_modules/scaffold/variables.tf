variable "name" {
  description = "Prefix of every resource name."
  type        = string
  nullable    = false
}

variable "ami_id" {
  description = "AMI of the instances. null: the latest Amazon Linux 2023 (x86_64) in the region."
  type        = string
  default     = null
}

variable "instance_type" {
  description = "Instance type of the web instances."
  type        = string
  default     = "t3.micro"
  nullable    = false
}

variable "instances" {
  description = "Web instances keyed by a stable name, each with the index of its availability zone (0 or 1)."
  type        = map(number)
  default     = { a = 0, b = 1 }
  nullable    = false

  validation {
    condition     = alltrue([for i in values(var.instances) : contains([0, 1], i)])
    error_message = "instances values must be 0 or 1 (the two availability zones)."
  }
}

variable "apps" {
  description = "The demo app on each instance: port => app name, one HTTP server per port."
  type        = map(string)
  default     = { "80" = "web" }
  nullable    = false
}

variable "health_path" {
  description = "Path the demo app answers \"ok\" on."
  type        = string
  default     = "/health"
  nullable    = false
}

variable "security_group_ids" {
  description = "Security groups of the instances: the ALB module's targets SG, so that only the ALB reaches them."
  type        = list(string)
  nullable    = false
}
