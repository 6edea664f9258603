# S3 bucket for the ALB's access logs. ALB log delivery supports only SSE-S3 (not KMS).

locals {
  log_prefix = "alb"
}

data "aws_caller_identity" "current" {}

# The regional ELB account that writes the logs (regions opened before August 2022).
data "aws_elb_service_account" "current" {}

resource "aws_s3_bucket" "logs" {
  #checkov:skip=CKV_AWS_18:This is the log bucket; logging it would need yet another bucket.
  #checkov:skip=CKV_AWS_144:Cross-region replication doubles the cost of a demo's logs.
  #checkov:skip=CKV_AWS_145:ALB access logs can only be written to SSE-S3 buckets, not KMS.
  #checkov:skip=CKV2_AWS_62:No consumer for event notifications in this example.
  #checkov:skip=CKV_AWS_21:Logs are written once and expire after var.log_retention_days; versions add nothing.
  bucket        = "${var.name}-alb-logs-${data.aws_caller_identity.current.account_id}"
  force_destroy = true # destroy must not fail on the logs the ALB wrote
  tags          = merge(local.tags, { Name = "${var.name}-alb-logs" })
}

resource "aws_s3_bucket_public_access_block" "logs" {
  bucket                  = aws_s3_bucket.logs.id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_ownership_controls" "logs" {
  bucket = aws_s3_bucket.logs.id

  rule {
    object_ownership = "BucketOwnerEnforced"
  }
}

resource "aws_s3_bucket_server_side_encryption_configuration" "logs" {
  bucket = aws_s3_bucket.logs.id

  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm = "AES256"
    }
  }
}

resource "aws_s3_bucket_lifecycle_configuration" "logs" {
  bucket = aws_s3_bucket.logs.id

  rule {
    id     = "expire-access-logs"
    status = "Enabled"

    filter {
      prefix = "${local.log_prefix}/"
    }

    expiration {
      days = var.log_retention_days
    }
  }

  # Bucket-wide (empty filter): an upload broken off anywhere must not be billed forever.
  rule {
    id     = "abort-incomplete-uploads"
    status = "Enabled"

    filter {}

    abort_incomplete_multipart_upload {
      days_after_initiation = 1
    }
  }
}

resource "aws_s3_bucket_policy" "logs" {
  bucket = aws_s3_bucket.logs.id
  # The public access block must exist first, or AWS may reject the policy while it is half-applied.
  depends_on = [aws_s3_bucket_public_access_block.logs]

  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid       = "ElbAccountWritesLogs"
        Effect    = "Allow"
        Principal = { AWS = data.aws_elb_service_account.current.arn }
        Action    = "s3:PutObject"
        Resource  = "${aws_s3_bucket.logs.arn}/${local.log_prefix}/AWSLogs/${data.aws_caller_identity.current.account_id}/*"
      },
      {
        # Regions opened after August 2022 deliver through this service principal instead.
        Sid       = "LogDeliveryWritesLogs"
        Effect    = "Allow"
        Principal = { Service = "logdelivery.elasticloadbalancing.amazonaws.com" }
        Action    = "s3:PutObject"
        Resource  = "${aws_s3_bucket.logs.arn}/${local.log_prefix}/AWSLogs/${data.aws_caller_identity.current.account_id}/*"
      },
      {
        Sid       = "DenyPlainHttp"
        Effect    = "Deny"
        Principal = "*"
        Action    = "s3:*"
        Resource  = [aws_s3_bucket.logs.arn, "${aws_s3_bucket.logs.arn}/*"]
        Condition = { Bool = { "aws:SecureTransport" = "false" } }
      },
    ]
  })
}
