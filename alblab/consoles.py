"""The web console's record in a state directory: written before the console starts, read by ``down``.

The record has a file of its own (``<state dir>/console/console.json``), not a key of ``session.json``:
every process that holds a ``Session`` (the lab daemon, a concurrent ``alblab apply``) rewrites
``session.json`` whole from what it read, so a console recorded there by another process would be lost.
``Session.down()`` and ``leftovers()`` read this file too, so ``alblab down`` / ``alblab lab stop`` stop the
console whatever process started it.

The token that every request to the console must carry lives beside it, readable by its owner only (0600 in
a 0700 directory), never on a command line (``ps`` shows those to every user).
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
from dataclasses import asdict, dataclass
from pathlib import Path

from alblab import pids, records

DIR = "console"
RECORD = "console.json"
READY = "ready.json"  # written by the console itself once it listens: its PID and port
TOKEN = "token"
LOG = "console.log"
MODULE = b"alblab.console"  # on the command line of every console process


@dataclass
class ConsoleRecord:
    stack: str  # the key of the stack it serves
    bind: str = "127.0.0.1"
    port: int = 0  # 0 until the console listens
    pid: int = 0  # 0 between the record and the spawn
    lab_dir: str = ""  # the lab's directory when it is the lab's console


def directory(home: Path) -> Path:
    return Path(home) / DIR


def make_directory(home: Path) -> Path:
    path = directory(home)
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    path.chmod(0o700)
    return path


def read(home: Path) -> ConsoleRecord | None:
    """The record; None when there is none or it is damaged (``stop`` sets a damaged one aside and finds the
    console by its PID file or the state directory's mark)."""
    try:
        data = records.read_json(directory(home) / RECORD)
    except records.DamagedRecord:
        return None
    if not isinstance(data, dict):
        return None
    try:
        return ConsoleRecord(**data)
    except TypeError:
        return ConsoleRecord(stack=str(data.get("stack", "")), pid=int(data.get("pid", 0)))


def write(home: Path, record: ConsoleRecord) -> None:
    records.write_json(make_directory(home) / RECORD, asdict(record))


def new_token(home: Path) -> str:
    """A fresh token, stored for the console to read (owner-only)."""
    token = secrets.token_urlsafe(24)
    path = make_directory(home) / TOKEN
    path.unlink(missing_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(token + "\n")
    return token


def token(home: Path) -> str:
    return (directory(home) / TOKEN).read_text().strip()


def ready(home: Path) -> tuple[int, int] | None:
    """(pid, port) the console wrote once it listened; None before."""
    data = records.read_json(directory(home) / READY)
    if not isinstance(data, dict):
        return None
    return int(data.get("pid", 0)), int(data.get("port", 0))


def mark_ready(home: Path, port: int) -> None:
    records.write_json(directory(home) / READY, {"pid": os.getpid(), "port": port})


def ours(pid: int) -> bool:
    """``pid`` is a console process (not gone, not recycled by another program)."""
    return pid > 0 and pids.alive(pid) and any(MODULE in part for part in pids.cmdline(pid))


def running(home: Path) -> ConsoleRecord | None:
    """The recorded console when it still runs."""
    record = read(home)
    return record if record is not None and ours(record.pid) else None


def url(record: ConsoleRecord, secret: str) -> str:
    host = "127.0.0.1" if record.bind in ("0.0.0.0", "") else record.bind
    host = f"[{host}]" if ":" in host else host
    return f"http://{host}:{record.port}/?token={secret}"


def stop(home: Path) -> tuple[list[str], list[str]]:
    """Stop the recorded console (by PID, only while it is ours) and remove its files: (done, problems)."""
    record = read(home)
    if record is None and not directory(home).exists():
        return [], []
    done: list[str] = []
    problems: list[str] = []
    if record is None and records.unreadable(directory(home) / RECORD):
        kept = records.set_aside(directory(home) / RECORD, into=Path(home))
        done.append(f"the console's record could not be read: kept as {kept}")
    found = {record.pid} if record else set()
    with contextlib.suppress(Exception):
        found.add((ready(home) or (0, 0))[0])  # started, not yet recorded by the command that started it
    for pid in sorted(p for p in found if ours(p)):
        if pids.terminate(pid, ours, timeout=5.0):
            done.append(f"console (pid {pid}) stopped")
        else:
            problems.append(f"the console (pid {pid}) did not stop")
    if not problems:
        shutil.rmtree(directory(home), ignore_errors=True)
    return done, problems
