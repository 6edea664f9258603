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

from alblab.aws_env import DEFAULT_KEY, SERVICES, fake_aws_env
from alblab.sources import resolve_source
from alblab.terraform import TerraformRunner
from alblab.tfconfig import cli_config_env

OVERRIDE_FILE = "alblab_override.tf"
# moto's built-in AMI: examples look one up on real AWS when ami_id is null.
MOTO_AMI = "ami-1e749f67"

# Subfolders a root configuration may carry along (templates, files); everything else stays behind.
COPY_DIRS = ("templates", "files", "policies")
_SKIP = shutil.ignore_patterns(".terraform", ".terraform.lock.hcl", "*.tfstate", "*.tfstate.*", "*.tfplan")
_LOCAL_SOURCE = re.compile(r'(\bsource\s*=\s*")(\.{1,2}/[^"]*)(")')
_VARIABLE = re.compile(r'^\s*variable\s+"([^"]+)"', re.MULTILINE)
_ENDPOINTS = re.compile(r"^\s*endpoints\s*\{", re.MULTILINE)

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


def override_hcl(endpoint: str, access_key: str = DEFAULT_KEY, endpoints_block: bool = False) -> str:
    """The provider block of the copy: ``access_key`` names the emulated account the stack lives in (see
    alblab.accounts). The emulator's endpoint reaches the provider through the environment
    (``AWS_ENDPOINT_URL``, see ``alblab.aws_env``), not through an ``endpoints`` block: with the block, the
    provider spends about 3 CPU-s more on every plan (provider 5.100.0, measured; docs/benchmarks.md).
    ``endpoints_block``: the configuration sets endpoints of its own, which would win over the environment,
    so the block overrides them."""
    # skip_requesting_account_id = false: with true, SG references read back as "123456789012/sg-..."
    # and every second plan shows a diff (measured with provider 5.100.0 and moto 5.2.1).
    endpoints = "\n".join(f'    {service:<7} = "{endpoint}"' for service in SERVICES)
    block = f"\n  endpoints {{\n{endpoints}\n  }}\n" if endpoints_block else ""
    return f"""# Written by alblab: points this copy of the example at the emulator. Not part of the example.
provider "aws" {{
  access_key                  = "{access_key}"
  secret_key                  = "test"
  skip_credentials_validation = true
  skip_metadata_api_check     = true
  skip_requesting_account_id  = false
  s3_use_path_style           = true
{block}}}
"""


def sets_endpoints(directory: Path) -> bool:
    """True when the configuration's own files set provider endpoints."""
    return any(_ENDPOINTS.search(tf.read_text()) for tf in directory.glob("*.tf") if tf.name != OVERRIDE_FILE)


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
    # Imported here: most commands never make a certificate, and the library costs 50 ms to load.
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

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


# What a refreshed copy keeps from the previous one: the state, the generated keys (the tfvars name them) and
# the providers already installed (so init does not copy the provider again).
KEEP_ON_REFRESH = (
    "terraform.tfstate",
    "terraform.tfstate.backup",
    "certs",
    ".terraform",
    ".terraform.lock.hcl",
)
DEFAULTS_FILE = ".alblab-defaults.tfvars.json"


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
        variables: dict[str, Any] | None = None,
        var_files: tuple[Path, ...] | list[Path] = (),
        keep_state: bool = False,
        access_key: str = DEFAULT_KEY,
    ) -> Workspace:
        """A fresh copy of ``source`` in ``work_root/name`` (with ``keep_state``: keeping what
        ``KEEP_ON_REFRESH`` lists from the copy there).

        Variables, lowest precedence first: what the configuration's own tfvars files say; the harness's
        defaults for variables the configuration declares (``name``, ``ami_id`` on the emulator, certificate
        files, and ``extra_vars``); then the caller's ``var_files``; then the caller's ``variables``.
        """
        src = resolve_source(source)
        work_root = Path(work_root).resolve()
        target = work_root / name
        kept = work_root / f".{name}.keep"
        shutil.rmtree(kept, ignore_errors=True)
        if keep_state and target.is_dir():
            kept.mkdir(parents=True)
            for item in KEEP_ON_REFRESH:
                if (target / item).exists():
                    shutil.move(str(target / item), str(kept / item))
        if target.exists():
            shutil.rmtree(target)
        copy_config(
            src, target, with_dirs=tuple(p.name for p in src.iterdir() if p.is_dir() and p.name in COPY_DIRS)
        )
        if kept.is_dir():
            for item in kept.iterdir():
                shutil.rmtree(target / item.name, ignore_errors=True)
                shutil.move(str(item), str(target / item.name))
            kept.rmdir()
        if endpoint:
            (target / OVERRIDE_FILE).write_text(override_hcl(endpoint, access_key, sets_endpoints(target)))

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
        files: list[Path] = []
        if tfvars:
            (target / DEFAULTS_FILE).write_text(json.dumps(tfvars, indent=2) + "\n")
            files.append(target / DEFAULTS_FILE)
        files.extend(Path(f).resolve() for f in var_files)

        runner = _runner(target, work_root, endpoint, env, variables, files, access_key)
        return cls(name=name, dir=target, source=src, key_dir=key_dir, runner=runner, tfvars=tfvars)

    @classmethod
    def existing(
        cls,
        directory: Path,
        source: Path,
        endpoint: str | None,
        env: dict[str, str] | None = None,
        variables: dict[str, Any] | None = None,
        var_files: tuple[Path, ...] | list[Path] = (),
        access_key: str = DEFAULT_KEY,
    ) -> Workspace:
        """The copy an earlier ``prepare`` made, as it is (to destroy it or read its state and outputs)."""
        directory = Path(directory).resolve()
        defaults = directory / DEFAULTS_FILE
        tfvars = json.loads(defaults.read_text()) if defaults.is_file() else {}
        files = ([defaults] if defaults.is_file() else []) + [Path(f).resolve() for f in var_files]
        runner = _runner(directory, directory.parent, endpoint, env, variables, files, access_key)
        return cls(
            name=directory.name,
            dir=directory,
            source=Path(source),
            key_dir=directory / "certs",
            runner=runner,
            tfvars=tfvars,
        )


def _runner(
    directory: Path,
    work_root: Path,
    endpoint: str | None,
    env: dict[str, str] | None,
    variables: dict[str, Any] | None,
    var_files: list[Path],
    access_key: str = DEFAULT_KEY,
) -> TerraformRunner:
    fake = fake_aws_env(endpoint, access_key) if endpoint else {}
    run_env = {**cli_config_env(work_root), **fake, **(env or {})}
    return TerraformRunner(directory, run_env, variables=variables, var_files=var_files)
