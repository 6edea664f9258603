# Step 0 (given): two web servers, one per subnet. Each answers with its own name, its port, the peer
# address it sees and the X-Forwarded-For header, so the participant can see the load balancer from inside.
# No public IP: on AWS too, only the load balancer (or a bastion) reaches them.
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
  # The web server on port 80 and two small apps, shop on 8080 and blog on 8081 (used from step 9 on).
  user_data = <<-EOT
    #!/bin/bash
    cat > /opt/web.py <<'PY'
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
    def serve(port):
        class H(BaseHTTPRequestHandler):
            def do_GET(self):
                xff = self.headers.get("X-Forwarded-For", "-")
                body = f"web-${each.key} port={port} peer={self.client_address[0]} xff={xff}\n".encode()
                self.send_response(200); self.send_header("Content-Length", str(len(body))); self.end_headers()
                self.wfile.write(body)
        ThreadingHTTPServer(("", port), H).serve_forever()
    for port in (8080, 8081):
        threading.Thread(target=serve, args=(port,), daemon=True).start()
    serve(80)
    PY
    nohup python3 /opt/web.py &
  EOT
  tags      = { Name = "${var.name}-web-${each.key}" }
}

output "instance_ids" {
  value = { for k, i in aws_instance.web : "web-${k}" => i.id }
}
