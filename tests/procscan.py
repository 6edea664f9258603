"""Which live processes a test's subprocess started, found by an environment entry that only that run has
(its TMPDIR or ALBLAB_HOME): everything alblab starts inherits its environment — the emulator, Terraform,
HAProxy, the backends and, rootless, the namespace holder — so nothing can hide, and nothing of another run
on the same machine is mistaken for a leak."""

from __future__ import annotations

import os
from pathlib import Path


def with_env(key: str, value: str | Path) -> list[int]:
    mark = f"{key}={value}".encode()
    found = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit() or int(proc.name) == os.getpid():
            continue
        try:
            if mark not in (proc / "environ").read_bytes().split(b"\0"):
                continue
            state = next(ln for ln in (proc / "status").read_text().splitlines() if ln.startswith("State:"))
        except (OSError, StopIteration):
            continue
        if state.split()[1] not in ("Z", "X"):
            found.append(int(proc.name))
    return found
