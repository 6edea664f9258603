"""Which live processes a test's subprocess started, found by an environment entry that only that run has
(its TMPDIR or ALBLAB_HOME): everything alblab starts inherits its environment — the emulator, Terraform,
HAProxy, the backends and, rootless, the namespace holder — so nothing can hide, and nothing of another run
on the same machine is mistaken for a leak. And the clean-up after such a run, whatever it left."""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import signal
import subprocess
import sys
from collections.abc import Iterable
from pathlib import Path

from alblab.pids import alive

CLI = [sys.executable, "-m", "alblab.cli"]


def with_env(key: str, value: str | Path) -> list[int]:
    mark = f"{key}={value}".encode()
    found = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit() or int(proc.name) == os.getpid():
            continue
        try:
            if mark not in (proc / "environ").read_bytes().split(b"\0"):
                continue
        except OSError:
            continue
        if alive(int(proc.name)):
            found.append(int(proc.name))
    return found


def clean_up(
    key: str, value: str | Path, env: dict[str, str], homes: Iterable[Path], cwd: Path | None = None
) -> list[int]:
    """`alblab down` for each of ``homes`` (``env`` with that ALBLAB_HOME), then SIGKILL whatever still
    carries ``key=value``; returns the PIDs killed."""
    for home in homes:
        subprocess.run(
            [*CLI, "down"], cwd=cwd, env={**env, "ALBLAB_HOME": str(home)}, capture_output=True, timeout=600,
            check=False,
        )  # fmt: skip
    killed = with_env(key, value)
    for pid in killed:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    return killed


def namespaces() -> list[str]:
    """The names of the network namespaces that exist now."""
    out = subprocess.run(["ip", "netns", "list"], capture_output=True, text=True, check=False).stdout
    return [line.split()[0] for line in out.splitlines() if line.strip()]


def run_prefix(letters: str) -> str:
    """A namespace prefix of this test run only: as root, namespaces are global, so a fixed name would meet
    the namespaces a killed earlier run (or a run beside this one) left."""
    return f"{letters}{secrets.token_hex(2)}"


def plane_prefixes(home: Path) -> set[str]:
    """The namespace prefixes of the data planes built under ``home`` (read before the CLI removes them)."""
    if not home.exists():
        return set()
    return {json.loads(saved.read_text())["prefix"] for saved in home.rglob("plane.json")}
