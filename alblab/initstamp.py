"""``terraform init`` only when something it depends on changed since its last success in a work copy.

Every ``alblab up``, ``plan`` and lab step refreshes its work copy and used to run ``init`` again: a second or
two of Terraform CPU that changes nothing when the copy is as the last init left it. What init reads is
fingerprinted — the root configuration's files, the files of every module it installed (local ones included:
their module calls decide what init installs), the lock file, the Terraform binary, the CLI configuration
(plugin mirror and cache) and the init flags — and, after a successful init, the fingerprint is stamped in
Terraform's data directory. The next init is skipped only when the stamp matches and the installed
providers are still there. Deleting ``.terraform`` (or any change) makes the next init run.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

STAMP_NAME = "alblab-init.sha256"
_CONFIG_SUFFIXES = (".tf", ".tf.json", ".tftest.hcl")
# The environment Terraform's init reads (TF_REATTACH_PROVIDERS never reaches it: see the launcher).
_ENV_KEYS = ("TF_CLI_CONFIG_FILE", "TF_PLUGIN_CACHE_DIR", "TF_DATA_DIR", "TF_WORKSPACE")


def data_dir(workdir: Path, env: Mapping[str, str]) -> Path:
    return workdir / env.get("TF_DATA_DIR", ".terraform")


def fingerprint(workdir: Path, env: Mapping[str, str], binary: str, flags: Mapping[str, Any]) -> str:
    """The hash of everything ``terraform init`` with ``flags`` reads in ``workdir``."""
    digest = hashlib.sha256()

    def add(label: str, data: bytes) -> None:
        digest.update(f"{label}\0{len(data)}\0".encode())
        digest.update(data)

    add("flags", json.dumps(dict(flags), sort_keys=True).encode())
    for key in _ENV_KEYS:
        add(f"env {key}", env.get(key, "").encode())
    add("cli config", _read(Path(env["TF_CLI_CONFIG_FILE"])) if env.get("TF_CLI_CONFIG_FILE") else b"")
    try:
        stat = Path(binary).stat()
        add("binary", f"{Path(binary).resolve()} {stat.st_size} {stat.st_mtime_ns}".encode())
    except OSError:
        add("binary", binary.encode())
    add("lock", _read(workdir / ".terraform.lock.hcl"))
    test_dir = flags.get("test_directory")
    dirs = [workdir, *([workdir / str(test_dir)] if test_dir else [])]
    modules = data_dir(workdir, env) / "modules" / "modules.json"
    manifest = _read(modules)
    add("modules", manifest)
    if manifest:
        dirs += [workdir / m["Dir"] for m in json.loads(manifest).get("Modules", []) if m.get("Dir")]
    for directory in dirs:
        for path in _config_files(directory):
            add(str(path.relative_to(workdir) if path.is_relative_to(workdir) else path), _read(path))
    return digest.hexdigest()


def is_current(workdir: Path, env: Mapping[str, str], binary: str, flags: Mapping[str, Any]) -> bool:
    """True when the last successful init here saw exactly what an init now would, and left providers."""
    data = data_dir(workdir, env)
    stamp = data / STAMP_NAME
    if not stamp.is_file():
        return False
    if (workdir / ".terraform.lock.hcl").is_file() and not (data / "providers").is_dir():
        return False
    return stamp.read_text().strip() == fingerprint(workdir, env, binary, flags)


def record(workdir: Path, env: Mapping[str, str], binary: str, flags: Mapping[str, Any]) -> None:
    """Stamp a successful init (replaced whole: a half-written stamp never matches)."""
    data = data_dir(workdir, env)
    data.mkdir(parents=True, exist_ok=True)
    tmp = data / f".{STAMP_NAME}.{os.getpid()}"
    tmp.write_text(fingerprint(workdir, env, binary, flags) + "\n")
    os.replace(tmp, data / STAMP_NAME)


def forget(workdir: Path, env: Mapping[str, str]) -> None:
    """Drop the stamp: the next init runs (before an init that may fail half-way)."""
    (data_dir(workdir, env) / STAMP_NAME).unlink(missing_ok=True)


def _config_files(directory: Path) -> Iterable[Path]:
    try:
        return sorted(p for p in directory.iterdir() if p.is_file() and p.name.endswith(_CONFIG_SUFFIXES))
    except OSError:
        return []


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError:
        return b""
