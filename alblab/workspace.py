"""A throw-away copy of one root configuration, pointed at the emulator, with its inputs written out.

Examples stay real-AWS-ready: everything emulator-specific lives in the copy (``alblab_override.tf``),
and the example folders never receive state, plans or ``.terraform``.
"""

from __future__ import annotations

import datetime
import json
import os
import re
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from alblab.aws_env import SERVICES, fake_aws_env
from alblab.terraform import TerraformRunner
from alblab.tfconfig import cli_config_env

REPO_ROOT = Path(__file__).resolve().parent.parent
EXAMPLES_DIR = REPO_ROOT / "examples"
OVERRIDE_FILE = "alblab_override.tf"
# moto's built-in AMI: examples look one up on real AWS when ami_id is null.
MOTO_AMI = "ami-1e749f67"

# Subfolders a root configuration may carry along (templates, files); everything else stays behind.
COPY_DIRS = ("templates", "files", "policies")
_SKIP = shutil.ignore_patterns(".terraform", ".terraform.lock.hcl", "*.tfstate", "*.tfstate.*", "*.tfplan")
_LOCAL_SOURCE = re.compile(r'(\bsource\s*=\s*")(\.{1,2}/[^"]*)(")')
_VARIABLE = re.compile(r'^\s*variable\s+"([^"]+)"', re.MULTILINE)

# Certificate inputs of the https/complete examples -> (file stem, DNS names in the certificate).
CERT_VARIABLES = {
    "certificate_pem_file": ("default", "crt"),
    "private_key_pem_file": ("default", "key"),
    "sni_certificate_pem_file": ("sni", "crt"),
    "sni_private_key_pem_file": ("sni", "key"),
}
CERT_NAMES = {
    "default": ["example.com", "*.example.com"],
    "sni": ["example.net", "*.example.net"],
}


def override_hcl(endpoint: str) -> str:
    endpoints = "\n".join(f'    {service:<7} = "{endpoint}"' for service in SERVICES)
    # skip_requesting_account_id = false: with true, SG references read back as "123456789012/sg-..."
    # and every second plan shows a diff (FACTS.md).
    return f"""# Written by alblab: points this copy of the example at the emulator. Not part of the example.
provider "aws" {{
  access_key                  = "test"
  secret_key                  = "test"
  skip_credentials_validation = true
  skip_metadata_api_check     = true
  skip_requesting_account_id  = false
  s3_use_path_style           = true

  endpoints {{
{endpoints}
  }}
}}
"""


def copy_config(src: Path, dst: Path, with_dirs: tuple[str, ...] = ()) -> Path:
    """Copy a root configuration's own files (not its subfolders, except ``with_dirs``) to ``dst``.

    Local module sources are rewritten to keep pointing at the originals, so the repository root
    can be copied without dragging .venv, examples or .git along.
    """
    if dst.exists():
        shutil.rmtree(dst)
    dst.mkdir(parents=True)
    for item in src.iterdir():
        if item.is_file() and not _SKIP(str(src), [item.name]):
            shutil.copy2(item, dst / item.name)
        elif item.is_dir() and item.name in with_dirs:
            shutil.copytree(item, dst / item.name, ignore=_SKIP)
    # Sources inside the copied folders stay relative to each other; rewrite only the rest.
    _rewrite_local_sources(dst, src, keep=with_dirs)
    return dst


def declared_variables(directory: Path) -> set[str]:
    names: set[str] = set()
    for tf in directory.glob("*.tf"):
        names.update(_VARIABLE.findall(tf.read_text()))
    return names


def _rewrite_local_sources(copy_dir: Path, original_dir: Path, keep: tuple[str, ...] = ()) -> None:
    """Keep ``source = "../.."`` pointing at the same module from the copy's new location."""

    def fix(match: re.Match[str]) -> str:
        target = (original_dir / match.group(2)).resolve()
        first = Path(match.group(2)).parts[1:2] if match.group(2).startswith("./") else ()
        if first and first[0] in keep:
            return match.group(0)
        rel = os.path.relpath(target, copy_dir)
        if not rel.startswith("."):
            rel = f"./{rel}"
        return f"{match.group(1)}{rel}{match.group(3)}"

    for tf in copy_dir.glob("*.tf"):
        text = tf.read_text()
        new = _LOCAL_SOURCE.sub(fix, text)
        if new != text:
            tf.write_text(new)


def write_self_signed(key_dir: Path, stem: str, dns_names: list[str]) -> tuple[Path, Path]:
    """A self-signed certificate + key (the tls provider is not available offline; ACM imports it)."""
    key_dir.mkdir(parents=True, exist_ok=True)
    crt_path, key_path = key_dir / f"{stem}.crt", key_dir / f"{stem}.key"
    if crt_path.exists() and key_path.exists():
        return crt_path, key_path
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, dns_names[0])])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=30))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(n) for n in dns_names]), critical=False)
        .sign(key, hashes.SHA256())
    )
    crt_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    key_path.chmod(0o600)
    return crt_path, key_path


@dataclass
class Workspace:
    name: str
    dir: Path
    source: Path
    key_dir: Path
    runner: TerraformRunner
    tfvars: dict[str, Any]

    @classmethod
    def prepare(
        cls,
        source: str | Path,
        name: str,
        work_root: Path,
        endpoint: str | None,
        extra_vars: dict[str, Any] | None = None,
        env: dict[str, str] | None = None,
    ) -> Workspace:
        src = Path(source)
        if not src.is_dir():
            src = EXAMPLES_DIR / str(source)
        if not src.is_dir():
            raise FileNotFoundError(f"no example or root configuration at {source!r}")
        src = src.resolve()
        work_root = Path(work_root).resolve()
        target = work_root / name
        if target.exists():
            shutil.rmtree(target)
        copy_config(
            src, target, with_dirs=tuple(p.name for p in src.iterdir() if p.is_dir() and p.name in COPY_DIRS)
        )
        if endpoint:
            (target / OVERRIDE_FILE).write_text(override_hcl(endpoint))

        key_dir = target / "certs"
        declared = declared_variables(target)
        tfvars: dict[str, Any] = {}
        if "name" in declared:
            tfvars["name"] = name
        if "ami_id" in declared and endpoint:
            tfvars["ami_id"] = MOTO_AMI
        for var, (stem, kind) in CERT_VARIABLES.items():
            if var in declared:
                crt, key = write_self_signed(key_dir, stem, CERT_NAMES[stem])
                tfvars[var] = str(crt if kind == "crt" else key)
        tfvars.update({k: v for k, v in (extra_vars or {}).items() if k in declared})
        if tfvars:
            (target / "terraform.tfvars.json").write_text(json.dumps(tfvars, indent=2) + "\n")

        fake = fake_aws_env(endpoint) if endpoint else {}
        run_env = {**cli_config_env(work_root), **fake, **(env or {})}
        runner = TerraformRunner(target, run_env)
        return cls(name=name, dir=target, source=src, key_dir=key_dir, runner=runner, tfvars=tfvars)
