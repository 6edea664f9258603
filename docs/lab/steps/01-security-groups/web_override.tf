# Step 1: put the step-0 instances into the instances' security group ("Change security groups" in the
# console). An *_override.tf file merges into the resource of the same name in instances.tf.
resource "aws_instance" "web" {
  vpc_security_group_ids = [aws_security_group.instances.id]
}
