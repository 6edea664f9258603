"""The CLI side of the lab: start the daemon when needed, send one operation, stream its output."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from alblab.lab.daemon import PID_NAME, SOCKET_NAME

DEFAULT_LAB_DIR = Path(".work/lab")
START_TIMEOUT_S = 30.0
# An apply with the ALB costs 60 s of provider waiters; leave room for a slow shared machine.
OP_TIMEOUT_S = 900.0


class DaemonNotRunning(Exception):
    pass


def _connect(lab_dir: Path) -> socket.socket:
    path = lab_dir / SOCKET_NAME
    if not path.exists():
        raise DaemonNotRunning(str(path))
    conn = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    conn.settimeout(OP_TIMEOUT_S)
    try:
        conn.connect(str(path))
    except (ConnectionRefusedError, FileNotFoundError) as error:
        conn.close()
        raise DaemonNotRunning(str(path)) from error
    return conn


def daemon_pid(lab_dir: Path) -> int | None:
    try:
        return int((lab_dir / PID_NAME).read_text())
    except (FileNotFoundError, ValueError):
        return None


def spawn_daemon(lab_dir: Path, name: str) -> int:
    lab_dir.mkdir(parents=True, exist_ok=True)
    log = (lab_dir / "daemon.log").open("ab")
    process = subprocess.Popen(
        [sys.executable, "-m", "alblab.lab.daemon", str(lab_dir.resolve()), "--name", name],
        stdin=subprocess.DEVNULL,
        stdout=log,
        stderr=log,
        start_new_session=True,  # Ctrl-C in the participant's shell must not kill the lab
        env=os.environ.copy(),
    )
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"lab daemon exited with {process.returncode}; see {lab_dir / 'daemon.log'}")
        try:
            _connect(lab_dir).close()
            return process.pid
        except DaemonNotRunning:
            time.sleep(0.1)
    process.terminate()
    raise RuntimeError(f"lab daemon did not open its socket in {START_TIMEOUT_S:.0f} s")


def call(
    lab_dir: Path, op: str, args: dict[str, Any] | None = None, out: Callable[[str], None] = print
) -> int:
    with _connect(lab_dir) as conn:
        conn.sendall((json.dumps({"op": op, "args": args or {}}) + "\n").encode())
        reader = conn.makefile("r", encoding="utf-8")
        for raw in reader:
            message = json.loads(raw)
            if "out" in message:
                out(message["out"])
            elif "rc" in message:
                return int(message["rc"])
    raise RuntimeError("lab daemon closed the connection before answering")


def wait_gone(lab_dir: Path, pid: int | None, timeout: float = 30.0) -> bool:
    """True once the daemon's socket is gone and its PID no longer runs (zombies aside: not our child)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        alive = pid is not None and Path(f"/proc/{pid}").exists() and _state(pid) != "Z"
        if not (lab_dir / SOCKET_NAME).exists() and not alive:
            return True
        time.sleep(0.1)
    return False


def _state(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, IndexError):
        return "X"
