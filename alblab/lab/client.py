"""The CLI side of the lab: start the daemon when needed, send one operation, stream its output.

One lab directory whoever runs the command (``<repository>/.work/lab``, or ``$ALBLAB_LAB_DIR``); a lab that
another user started answers with a message naming that user, never with a ``PermissionError``.
"""

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

from alblab import niceness, pids, records
from alblab.lab.daemon import LOG_NAME, PID_NAME, SOCKET_NAME
from alblab.lab.errors import LabError
from alblab.sources import REPO_ROOT
from alblab.startclock import StartClock

LAB_DIR_ENV = "ALBLAB_LAB_DIR"
DEFAULT_LAB_DIR = REPO_ROOT / ".work" / "lab"
START_TIMEOUT_S = 30.0
# An apply with the ALB costs 60 s of provider waiters; leave room for a slow shared machine.
OP_TIMEOUT_S = 900.0


class DaemonNotRunning(Exception):
    pass


def check_owner(lab_dir: Path) -> None:
    """A message instead of a PermissionError when another user's lab lives in ``lab_dir``.

    root may use anyone's lab (``sudo alblab lab stop`` cleans a participant's); a user may not use
    another's, nor one that ``sudo`` started."""
    me = os.geteuid()
    try:
        owners = [lab_dir.stat().st_uid]
        if (lab_dir / SOCKET_NAME).exists():
            owners.append((lab_dir / SOCKET_NAME).stat().st_uid)
    except FileNotFoundError:
        return
    except PermissionError as error:
        raise LabError(_another_user(lab_dir, _first_owner(lab_dir))) from error
    for uid in owners:
        if uid != me and me != 0:
            raise LabError(_another_user(lab_dir, uid))


def _first_owner(path: Path) -> int:
    """The owner of ``path``'s nearest ancestor that this user may look at."""
    for parent in path.parents:
        try:
            return parent.stat().st_uid
        except OSError:
            continue
    return 0


def _another_user(lab_dir: Path, uid: int) -> str:
    who = records.owner_name(uid)
    how = "sudo alblab lab ..." if uid == 0 else f"user {who}"
    return (
        f"The lab in {lab_dir} belongs to {who}: run the lab commands as {who} too ({how}), or stop it that "
        f"way (`alblab lab stop`), or set ALBLAB_LAB_DIR to a directory of your own."
    )


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
    except PermissionError as error:
        conn.close()
        raise LabError(_another_user(lab_dir, path.stat().st_uid)) from error
    return conn


def daemon_pid(lab_dir: Path) -> int | None:
    try:
        return int((lab_dir / PID_NAME).read_text())
    except (FileNotFoundError, ValueError):
        return None


def spawn_daemon(lab_dir: Path, name: str) -> int:
    lab_dir.mkdir(parents=True, exist_ok=True)
    log = lab_dir / LOG_NAME
    process = subprocess.Popen(
        [sys.executable, "-m", "alblab.lab.daemon", str(lab_dir.resolve()), "--name", name],
        stdin=subprocess.DEVNULL,
        stdout=log.open("ab"),
        stderr=subprocess.STDOUT,
        start_new_session=True,  # Ctrl-C in the participant's shell must not kill the lab
        env=os.environ.copy(),
    )
    niceness.carry_into_session(process.pid)
    clock = StartClock(process.pid, START_TIMEOUT_S)  # not counting the time it queued for a CPU
    while not clock.expired():
        if process.poll() is not None:
            raise LabError(f"The lab's background process exited ({process.returncode}); see {log}")
        try:
            _connect(lab_dir).close()
            return process.pid
        except DaemonNotRunning:
            time.sleep(0.1)
    process.terminate()
    raise LabError(f"The lab's background process did not answer {clock.describe()}; see {log}")


def call(
    lab_dir: Path, op: str, args: dict[str, Any] | None = None, out: Callable[[str], None] = print
) -> int:
    with _connect(lab_dir) as conn:
        conn.sendall((json.dumps({"op": op, "args": args or {}}) + "\n").encode())
        reader = conn.makefile("r", encoding="utf-8")
        try:
            for raw in reader:
                message = json.loads(raw)
                if "out" in message:
                    out(message["out"])
                elif "rc" in message:
                    return int(message["rc"])
        except KeyboardInterrupt:
            # The daemon finishes what it started; nothing is left half-done that `lab stop` cannot clean.
            print(
                "\nInterrupted: the lab finishes this command in the background. Go on with the next one "
                "(it waits for this one), or `alblab lab stop` to stop everything.",
                file=sys.stderr,
            )
            return 130
        except TimeoutError as error:
            log = lab_dir / LOG_NAME
            raise LabError(f"The lab did not answer in {OP_TIMEOUT_S:.0f} s; see {log}") from error
    raise LabError(f"The lab's background process ended before answering; see {lab_dir / LOG_NAME}")


def wait_gone(lab_dir: Path, pid: int | None, timeout: float = 30.0) -> bool:
    """True once the daemon's socket is gone and its PID no longer runs (zombies aside: not our child)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        running = pid is not None and pids.alive(pid)
        if not (lab_dir / SOCKET_NAME).exists() and not running:
            return True
        time.sleep(0.1)
    return False
