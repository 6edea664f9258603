output "arn" {
  description = "Target group ARN."
  value       = aws_lb_target_group.this.arn
}

output "arn_suffix" {
  description = "Target group ARN suffix, for CloudWatch metrics."
  value       = aws_lb_target_group.this.arn_suffix
}

output "name" {
  description = "Target group name."
  value       = aws_lb_target_group.this.name
}

output "attachment_ids" {
  description = "Attachment IDs keyed by the targets map's keys."
  value       = { for k, a in aws_lb_target_group_attachment.this : k => a.id }
}
