# Step 0 (given): two web servers, one per subnet. Each answers with its own name, the peer address it
# sees and the X-Forwarded-For header, so the participant can see the load balancer from the inside.
data "aws_ami" "al2023" {
  count       = var.ami_id == null ? 1 : 0
  most_recent = true
  owners      = ["amazon"]
  filter {
    name   = "name"
    values = ["al2023-ami-2023.*-x86_64"]
  }
}

resource "aws_instance" "web" {
  for_each = aws_subnet.public

  ami           = coalesce(var.ami_id, one(data.aws_ami.al2023[*].id))
  instance_type = "t3.micro"
  subnet_id     = each.value.id
  user_data     = <<-EOT
    #!/bin/bash
    cat > /opt/web.py <<'PY'
    from http.server import BaseHTTPRequestHandler, HTTPServer
    class H(BaseHTTPRequestHandler):
        def do_GET(self):
            xff = self.headers.get("X-Forwarded-For", "-")
            body = f"web-${each.key} peer={self.client_address[0]} xff={xff}\n".encode()
            self.send_response(200); self.send_header("Content-Length", str(len(body))); self.end_headers()
            self.wfile.write(body)
    HTTPServer(("", 80), H).serve_forever()
    PY
    nohup python3 /opt/web.py &
  EOT
  tags          = { Name = "${var.name}-web-${each.key}" }
}

output "instance_ids" {
  value = { for k, i in aws_instance.web : "web-${k}" => i.id }
}
