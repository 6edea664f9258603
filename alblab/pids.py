"""A process alblab recorded by PID (a session record, a PID file): still there, what it runs, stopping it.

``kill -0`` succeeds on a zombie (a dead child not yet reaped), so liveness is read from /proc's State.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

_POLL_S = 0.05


def state_of(pid: int) -> str | None:
    """The /proc State letter (R, S, Z, ...), or None when the PID is gone."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("State:"):
                return line.split()[1]
    except (OSError, IndexError):
        return None
    return None


def alive(pid: int) -> bool:
    """Running and not a zombie."""
    state = state_of(pid)
    return state is not None and state not in ("Z", "X")


def cmdline(pid: int) -> list[bytes]:
    """The process's argv; empty when it is gone (a zombie's is empty too)."""
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except OSError:
        return []


def cwd(pid: int) -> str:
    """The process's working directory; "?" when it is gone or not ours to read."""
    try:
        return os.readlink(f"/proc/{pid}/cwd")
    except OSError:
        return "?"


def terminate(pid: int, ours: Callable[[int], bool], timeout: float = 10.0) -> bool:
    """SIGTERM, then SIGKILL after ``timeout``; signals ``pid`` only while ``ours(pid)`` says it is still the
    process recorded (not gone, not recycled). True once it is gone."""
    for sig, wait in ((signal.SIGTERM, timeout), (signal.SIGKILL, 5.0)):
        if not ours(pid):
            return True
        try:
            os.kill(pid, sig)
        except ProcessLookupError:
            return True
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline and ours(pid):
            time.sleep(_POLL_S)
    return not ours(pid)


def stop_child(proc: subprocess.Popen[Any], timeout: float = 10.0) -> None:
    """Stop a process this one started: SIGTERM, SIGKILL after ``timeout``; reaped either way."""
    if proc.poll() is not None:
        return
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=timeout)


def environ(pid: int) -> list[bytes]:
    """The process's environment entries (``KEY=value``); empty when it is gone or not ours to read."""
    try:
        return Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
    except OSError:
        return []


def with_environ(match: Callable[[list[bytes]], bool]) -> list[int]:
    """Live processes other than this one whose environment entries satisfy ``match``: this user's, or any
    user's when run as root (``sudo alblab down`` cleans up after a user)."""
    me, uid = os.getpid(), os.geteuid()
    found = []
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit() or int(entry.name) == me:
            continue
        try:
            if uid != 0 and entry.stat().st_uid != uid:
                continue
        except OSError:
            continue
        pid = int(entry.name)
        if match(environ(pid)) and alive(pid):
            found.append(pid)
    return found
