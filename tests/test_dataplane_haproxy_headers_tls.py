"""X-Forwarded-* modes, invalid header dropping and HTTPS listeners (default cert + SNI) on loopback."""

from __future__ import annotations

import re
import ssl
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from haproxy_helpers import (
    REAL_HAPROXY,
    Backend,
    backends,
    forward,
    free_port,
    haproxy,
    listener,
    request,
    stack,
    tg,
)

from alblab.workspace import write_self_signed

pytestmark = REAL_HAPROXY


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Backend]:
    with backends(tmp_path_factory.mktemp("app"), [("A", "127.0.0.2")]) as apps:
        yield apps["A"]


def seen_by_target(
    tmp: Path, app: Backend, attributes: dict[str, str], headers: list[tuple[str, str]]
) -> dict:
    group = tg("xff", [(app.ip, app.port)])
    port = free_port()
    with haproxy(tmp, stack([listener(port, forward(group))], [group], attributes)):
        info = request(port, headers=headers).json()
    info["headers"] = dict(info["headers"])
    return info


@pytest.mark.parametrize(
    ("mode", "client_xff", "expected"),
    [
        ("append", [], ["127.0.0.1"]),
        ("append", ["203.0.113.9"], ["203.0.113.9, 127.0.0.1"]),
        ("append", ["203.0.113.9", "198.51.100.1"], ["203.0.113.9", "198.51.100.1", "127.0.0.1"]),
        ("preserve", ["203.0.113.9"], ["203.0.113.9"]),
        ("preserve", [], []),
        ("remove", ["203.0.113.9"], []),
    ],
)
def test_xff_modes(
    tmp_path: Path, app: Backend, mode: str, client_xff: list[str], expected: list[str]
) -> None:
    attrs = {"routing.http.xff_header_processing.mode": mode}
    info = seen_by_target(tmp_path, app, attrs, [("X-Forwarded-For", v) for v in client_xff])
    assert info["xff"] == expected
    assert info["headers"]["x-forwarded-proto"] == "http"


def test_xff_client_port(tmp_path: Path, app: Backend) -> None:
    attrs = {"routing.http.xff_client_port.enabled": "true"}
    (xff,) = seen_by_target(tmp_path, app, attrs, [])["xff"]
    ip, port = xff.rsplit(":", 1)
    assert ip == "127.0.0.1" and port.isdigit()


@pytest.mark.parametrize("drop", [True, False])
def test_drop_invalid_header_fields(tmp_path: Path, app: Backend, drop: bool) -> None:
    attrs = {"routing.http.drop_invalid_header_fields.enabled": str(drop).lower()}
    headers = seen_by_target(tmp_path, app, attrs, [("X_Under", "1"), ("X-Fine", "2")])["headers"]
    assert headers["x-fine"] == "2"
    assert ("x_under" in headers) is (not drop)


@pytest.mark.parametrize("preserve", [True, False])
def test_host_header_gets_the_listener_port_unless_preserved(
    tmp_path: Path, app: Backend, preserve: bool
) -> None:
    attrs = {"routing.http.preserve_host_header.enabled": str(preserve).lower()}
    headers = seen_by_target(tmp_path, app, attrs, [("Host", "www.example.test")])["headers"]
    assert (
        headers["host"] == "www.example.test" if preserve else headers["host"].startswith("www.example.test:")
    )


def test_trace_id_root_is_generated_and_self_added_to_a_valid_one(tmp_path: Path, app: Backend) -> None:
    trace = re.compile(r"^Root=1-[0-9a-f]{8}-[0-9a-f]{24}$")
    generated = seen_by_target(tmp_path, app, {}, [])["headers"]["x-amzn-trace-id"]
    assert trace.match(generated), generated
    assert abs(int(generated[7:15], 16) - time.time()) < 60  # the first field is the epoch second
    client = "Root=1-5759e988-bd862e3fe1be46a994272793"
    forwarded = seen_by_target(tmp_path, app, {}, [("X-Amzn-Trace-Id", client)])["headers"]["x-amzn-trace-id"]
    assert re.match(r"^Self=1-[0-9a-f]{8}-[0-9a-f]{24};" + client + "$", forwarded), forwarded


# --- HTTPS ------------------------------------------------------------------------------------------


def self_signed(directory: Path, name: str) -> tuple[Path, bytes]:
    """A PEM (certificate + key, HAProxy's crt format) for ``name``; returns it and the DER certificate."""
    crt, key = write_self_signed(directory, name, [name])
    pem = directory / f"{name}.pem"
    pem.write_bytes(crt.read_bytes() + key.read_bytes())
    cert = x509.load_pem_x509_certificate(crt.read_bytes())
    return pem, cert.public_bytes(serialization.Encoding.DER)


def test_https_listener_serves_default_and_sni_certificates(tmp_path: Path, app: Backend) -> None:
    default_pem, default_der = self_signed(tmp_path, "default.example.test")
    extra_pem, extra_der = self_signed(tmp_path, "extra.example.test")
    certs = {"arn:acm:default": default_pem, "arn:acm:extra": extra_pem}
    group = tg("tls", [(app.ip, app.port)])
    port = free_port()
    https = listener(
        port,
        forward(group),
        protocol="HTTPS",
        certificate_arns=("arn:acm:default", "arn:acm:extra"),
        ssl_policy="ELBSecurityPolicy-TLS13-1-2-2021-06",
    )
    tls13_port = free_port()
    tls13_only = listener(
        tls13_port,
        forward(group),
        protocol="HTTPS",
        certificate_arns=("arn:acm:default",),
        ssl_policy="ELBSecurityPolicy-TLS13-1-3-2021-06",
    )
    client = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    client.check_hostname = False
    client.verify_mode = ssl.CERT_NONE
    tls12 = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    tls12.check_hostname, tls12.verify_mode = False, ssl.CERT_NONE
    tls12.maximum_version = ssl.TLSVersion.TLSv1_2
    tls_info = {"routing.http.x_amzn_tls_version_and_cipher_suite.enabled": "true"}
    with haproxy(tmp_path, stack([https, tls13_only], [group], tls_info), certs=certs):
        extra = request(port, tls=client, sni="extra.example.test")
        assert extra.peer_cert == extra_der
        info = extra.json()
        assert dict(info["headers"])["x-forwarded-proto"] == "https"
        assert dict(info["headers"])["x-forwarded-port"] == str(port)
        assert dict(info["headers"])["x-amzn-tls-version"] == "TLSv1.3"
        assert dict(info["headers"])["x-amzn-tls-cipher-suite"].startswith("TLS_")
        assert request(port, tls=client, sni="default.example.test").peer_cert == default_der
        assert request(port, tls=client, sni="unknown.example.test").peer_cert == default_der
        # The ssl_policy decides the protocol versions: TLS 1.2 is fine for TLS13-1-2, refused by TLS13-1-3.
        assert request(port, tls=tls12, sni="extra.example.test").status == 200
        assert request(tls13_port, tls=client).peer_cert == default_der
        with pytest.raises(ssl.SSLError):
            request(tls13_port, tls=tls12)
