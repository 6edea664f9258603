"""HTTPS listener certificates: ACM body + the workspace's private key, matched by public key."""

from __future__ import annotations

from pathlib import Path

from alblab.dataplane import certs
from alblab.workspace import write_self_signed


def test_certificate_is_paired_with_its_key(tmp_path: Path) -> None:
    crt, _key = write_self_signed(tmp_path / "keys", "default", ["example.com"])
    other_crt, _ = write_self_signed(tmp_path / "elsewhere", "sni", ["example.net"])
    files, warnings = certs.prepare(
        {"arn:acm:default": crt.read_text(), "arn:acm:sni": other_crt.read_text()},
        tmp_path / "keys",
        tmp_path / "out",
    )
    assert set(files) == {"arn:acm:default"}
    pem = files["arn:acm:default"].read_text()
    assert crt.read_text().strip() in pem and "PRIVATE KEY" in pem
    assert files["arn:acm:default"].stat().st_mode & 0o077 == 0
    assert len(warnings) == 1 and "arn:acm:sni" in warnings[0] and "no private key" in warnings[0]


def test_no_key_dir_means_every_certificate_is_skipped(tmp_path: Path) -> None:
    crt, _ = write_self_signed(tmp_path / "keys", "default", ["example.com"])
    files, warnings = certs.prepare({"arn:acm:default": crt.read_text()}, None, tmp_path / "out")
    assert files == {} and len(warnings) == 1
