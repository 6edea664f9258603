"""Certificates for HTTPS listeners: the body comes from ACM (the model), the private key from the key dir.

ACM never gives a private key back, so the key must be one the workspace generated; it is matched to the
certificate by public key. A certificate without a matching key cannot be served: the caller skips the
listeners that need it and warns.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.types import PrivateKeyTypes


def _spki(public_key: object) -> bytes:
    return public_key.public_bytes(  # type: ignore[attr-defined]
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def load_keys(key_dir: Path | None) -> dict[bytes, PrivateKeyTypes]:
    """Every private key found in ``key_dir`` (*.key, *.pem), by its public key's DER encoding."""
    keys: dict[bytes, PrivateKeyTypes] = {}
    if key_dir is None or not key_dir.is_dir():
        return keys
    for path in sorted([*key_dir.glob("*.key"), *key_dir.glob("*.pem")]):
        try:
            key = serialization.load_pem_private_key(path.read_bytes(), password=None)
        except (ValueError, TypeError):
            continue  # a certificate or an encrypted key: not usable here
        keys[_spki(key.public_key())] = key
    return keys


def prepare(
    certificates: Mapping[str, str], key_dir: Path | None, out_dir: Path
) -> tuple[dict[str, Path], list[str]]:
    """ARN -> PEM file (chain + key, HAProxy's ``crt`` format), and one warning per ARN left out."""
    keys = load_keys(key_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    files: dict[str, Path] = {}
    warnings: list[str] = []
    for arn, body in sorted(certificates.items()):
        try:
            cert = x509.load_pem_x509_certificate(body.encode())
        except ValueError as exc:
            warnings.append(f"certificate {arn}: unreadable PEM from ACM ({exc})")
            continue
        key = keys.get(_spki(cert.public_key()))
        if key is None:
            warnings.append(
                f"certificate {arn}: no private key for it in {key_dir}; its listeners are skipped"
            )
            continue
        pem = (
            body.strip().encode()
            + b"\n"
            + key.private_bytes(
                serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
            )
        )
        path = out_dir / f"{hashlib.sha256(arn.encode()).hexdigest()[:16]}.pem"
        path.write_bytes(pem)
        path.chmod(0o600)
        files[arn] = path
    return files, warnings
