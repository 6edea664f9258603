"""Run-time side of the HAProxy node: config check, start argv, hot reload, health read-out."""

from __future__ import annotations

import contextlib
import csv
import io
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from alblab.dataplane import tools
from alblab.dataplane.errors import DataPlaneError
from alblab.dataplane.haproxy.backend import FAIL_OPEN_SUFFIX

HAPROXY = tools.path("haproxy")
_POLL_S = 0.02


class HAProxyConfigError(DataPlaneError):
    """``haproxy -c`` rejected a config; the message is HAProxy's own output."""


class HAProxyRuntimeError(DataPlaneError):
    """The master or a worker did not do what was asked within the time limit."""


def check_config(path: Path) -> None:
    proc = subprocess.run([HAPROXY, "-c", "-f", str(path)], capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise HAProxyConfigError(
            (proc.stdout + proc.stderr).strip() or f"haproxy -c exited {proc.returncode}"
        )


def start_cmd(cfg_path: Path, master_sock: Path, pid_file: Path) -> list[str]:
    """Master-worker HAProxy in the foreground (the caller owns the PID), master CLI on ``master_sock``."""
    return [HAPROXY, "-W", "-S", f"{master_sock},mode,600", "-f", str(cfg_path), "-p", str(pid_file)]


def cli(sock_path: Path, command: str, timeout: float = 2.0) -> str:
    """One command on a HAProxy CLI socket (master or stats); both close the connection after answering."""
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
        sock.settimeout(timeout)
        sock.connect(str(sock_path))
        sock.sendall(command.encode() + b"\n")
        sock.shutdown(socket.SHUT_WR)  # the master CLI answers only once it sees the end of input
        chunks = []
        while True:
            try:
                data = sock.recv(65536)
            except ConnectionResetError:
                break
            if not data:
                break
            chunks.append(data)
    return b"".join(chunks).decode(errors="replace")


@dataclass(frozen=True)
class ProcTable:
    reloads: int
    failed: int
    workers: dict[int, int]  # current worker pid -> reloads it survived


def parse_show_proc(text: str) -> ProcTable:
    reloads = failed = -1
    workers: dict[int, int] = {}
    section = ""
    for line in text.splitlines():
        if line.startswith("#"):
            section = line.strip("# ").split()[0] if line.strip("# ") else ""
            continue
        cols = line.split()
        if len(cols) < 3 or not cols[0].isdigit():
            continue
        if cols[1] == "master":
            reloads = int(cols[2])
            if "[failed:" in line:
                failed = int(line.split("[failed:")[1].split("]")[0])
        elif cols[1] == "worker" and section == "workers":
            workers[int(cols[0])] = int(cols[2])
    if reloads < 0:
        raise HAProxyRuntimeError(f"no master line in 'show proc' output: {text!r}")
    return ProcTable(reloads, failed, workers)


def show_proc(master_sock: Path) -> ProcTable:
    return parse_show_proc(cli(master_sock, "show proc"))


def wait_ready(master_sock: Path, admin_sock: Path | None = None, timeout: float = 10.0) -> int:
    """Poll until the master and (when given) the worker's stats socket answer; returns the worker PID."""
    deadline = time.monotonic() + timeout
    last = ""
    while time.monotonic() < deadline:
        try:
            table = show_proc(master_sock)
            if table.workers:
                pid = min(table.workers, key=lambda p: table.workers[p])
                if admin_sock is None or _worker_pid(admin_sock) == pid:
                    return pid
        except (OSError, HAProxyRuntimeError) as exc:
            last = str(exc)
        time.sleep(_POLL_S)
    raise HAProxyRuntimeError(f"HAProxy not ready after {timeout}s (last error: {last or 'none'})")


def _worker_pid(admin_sock: Path) -> int | None:
    try:
        for line in cli(admin_sock, "show info").splitlines():
            if line.startswith("Pid:"):
                return int(line.split(":", 1)[1])
    except OSError:
        return None
    return None


def save_server_state(admin_sock: Path, state_file: Path) -> None:
    """``show servers state`` into the file the config names in ``server-state-file`` (atomically)."""
    text = cli(admin_sock, "show servers state")
    tmp = state_file.with_name(state_file.name + ".tmp")
    tmp.write_text(text)
    tmp.replace(state_file)


def reload(
    master_sock: Path, admin_sock: Path | None = None, timeout: float = 10.0, state_file: Path | None = None
) -> int:
    """Master CLI ``reload``; returns the new worker's PID once it serves.

    Ready means: the master counts one more reload, no more failures, lists a worker it did not list
    before, and (when ``admin_sock`` is given) that worker answers on its stats socket. The old worker keeps
    serving until then and passes its listening sockets over, so no new connection is refused.
    With ``state_file`` (and ``admin_sock``), health states are saved first and the new worker starts from
    them: without it HAProxy would start every server UP again, as if no check had ever failed.
    Raises HAProxyRuntimeError when the new config fails to load (the old worker then keeps running).
    """
    before = show_proc(master_sock)
    if state_file is not None and admin_sock is not None:
        save_server_state(admin_sock, state_file)
    # The master re-executes itself and may drop this connection without an answer.
    with contextlib.suppress(OSError):
        cli(master_sock, "reload")
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            now = show_proc(master_sock)
        except (OSError, HAProxyRuntimeError):
            time.sleep(_POLL_S)
            continue
        if now.reloads > before.reloads:
            if now.failed > before.failed:
                raise HAProxyRuntimeError(
                    "reload failed: the new configuration did not load (old worker kept)"
                )
            fresh = [pid for pid in now.workers if pid not in before.workers]
            if fresh and (admin_sock is None or _worker_pid(admin_sock) == fresh[0]):
                return fresh[0]
        time.sleep(_POLL_S)
    raise HAProxyRuntimeError(f"no new worker serving {timeout}s after reload")


def parse_show_stat(text: str) -> dict[tuple[str, str], str]:
    rows = csv.DictReader(io.StringIO(text.lstrip("# ")))
    health: dict[tuple[str, str], str] = {}
    for row in rows:
        name = row.get("svname", "")
        if name in ("FRONTEND", "BACKEND", "") or name.endswith(FAIL_OPEN_SUFFIX):
            continue
        health[(row["pxname"], name)] = row["status"]
    return health


def server_health(admin_sock: Path) -> dict[tuple[str, str], str]:
    """(backend, server) -> HAProxy status ("UP", "DOWN", "UP 1/3", "NOLB", "MAINT", "no check").

    The fail-open twins are left out: they mirror their primary and are never health-checked.
    """
    return parse_show_stat(cli(admin_sock, "show stat"))
