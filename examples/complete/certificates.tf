# Imported from PEM files (self-signed is fine for a demo; ACM accepts it).

resource "aws_acm_certificate" "default" {
  certificate_body = file(var.certificate_pem_file)
  private_key      = file(var.private_key_pem_file)
  tags             = merge(local.tags, { Name = "${var.name}-default" })

  lifecycle {
    create_before_destroy = true
  }
}

resource "aws_acm_certificate" "sni" {
  certificate_body = file(var.sni_certificate_pem_file)
  private_key      = file(var.sni_private_key_pem_file)
  tags             = merge(local.tags, { Name = "${var.name}-sni" })

  lifecycle {
    create_before_destroy = true
  }
}
