# Terraform and the provider's version are those of the module (../..), which pins them.
provider "aws" {
  region = var.region
}
