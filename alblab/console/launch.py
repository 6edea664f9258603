"""Starting the console for a command (``alblab console``, ``alblab lab console``): recorded, then started in
the background, then its URL printed once it listens. A console already running for the same stack is
reused (its URL printed again): a reconnecting browser needs nothing else."""

from __future__ import annotations

import argparse
import ipaddress
import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from alblab import consoles, niceness, records
from alblab.errors import StateError, UsageError
from alblab.startclock import StartClock

LOOPBACK = "127.0.0.1"
START_TIMEOUT_S = 30.0
_POLL_S = 0.05


def add_options(parser: argparse.ArgumentParser) -> None:
    """``--bind`` and ``--port``, for ``alblab console`` and ``alblab lab console``."""
    parser.add_argument(
        "--bind",
        default=LOOPBACK,
        metavar="ADDR",
        help="listen address (default 127.0.0.1: this machine only)",
    )
    parser.add_argument(
        "--port", type=_port, default=0, metavar="N", help="listen port (default: a free one)"
    )


def _port(text: str) -> int:
    if not text.isdigit() or not 1 <= int(text) <= 65535:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port number (1-65535)")
    return int(text)


def check_bind(bind: str) -> str:
    try:
        return str(ipaddress.ip_address(bind))
    except ValueError:
        raise UsageError(
            f"--bind {bind!r}: an IP address of this machine, e.g. 127.0.0.1 or 0.0.0.0"
        ) from None


def bind_warning(bind: str) -> str | None:
    if ipaddress.ip_address(bind).is_loopback:
        return None
    return (
        f"warning: the console listens on {bind}, beyond this machine: whoever reaches it with the URL "
        "(its token) can send requests and fail instances of this stack. Use it on a network you trust "
        "(a classroom projector), and 'alblab down' when done."
    )


def _last_line(path: Path) -> str:
    try:
        lines = [line for line in path.read_text(errors="replace").splitlines() if line.strip()]
    except OSError:
        return ""
    return lines[-1] if lines else ""


def open_console(
    home: Path,
    stack: str,
    bind: str = LOOPBACK,
    port: int = 0,
    lab_dir: Path | None = None,
    out: Callable[[str], None] = print,
) -> int:
    """Print ``console: URL`` for ``stack`` of the state dir ``home``, starting the console when needed."""
    bind = check_bind(bind)
    warning = bind_warning(bind)
    running = consoles.running(home)
    if running is not None:
        same = running.stack == stack and running.bind == bind and port in (0, running.port)
        if same and running.port:
            if warning:
                out(f"alblab: {warning}")
            out(f"console: {consoles.url(running, consoles.token(home))} (already running)")
            return 0
    _done, problems = consoles.stop(home)  # another stack's or address's, or what a dead one left
    if problems:
        raise StateError("; ".join(problems))
    if warning:
        out(f"alblab: {warning}")
    secret = consoles.new_token(home)
    record = consoles.ConsoleRecord(stack=stack, bind=bind, port=port, lab_dir=str(lab_dir or ""))
    consoles.write(home, record)  # before it starts: `down` finds it whatever happens next
    log = consoles.directory(home) / consoles.LOG
    argv = [sys.executable, "-m", "alblab.console", str(home), "--stack", stack, "--bind", bind]
    argv += ["--port", str(port)] + (["--lab-dir", str(lab_dir)] if lab_dir else [])
    fd = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    with os.fdopen(fd, "ab") as handle:
        process = subprocess.Popen(
            argv,
            stdin=subprocess.DEVNULL,
            stdout=handle,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # Ctrl-C in this terminal must not stop it; `alblab down` does
            env={**os.environ, **records.mark(home)},  # `down` finds it by the mark when the records are lost
        )
    niceness.carry_into_session(process.pid)
    record.pid = process.pid
    consoles.write(home, record)
    clock = StartClock(process.pid, START_TIMEOUT_S)  # not counting the time it queued for a CPU
    while not clock.expired():
        seen = consoles.ready(home)
        if seen is not None and seen[0] == process.pid:
            record.port = seen[1]
            consoles.write(home, record)
            out(f"console: {consoles.url(record, secret)}")
            return 0
        if process.poll() is not None:
            why = _last_line(log) or f"exit {process.returncode}"
            consoles.stop(home)
            raise StateError(f"the console did not start: {why}")
        time.sleep(_POLL_S)
    consoles.stop(home)
    raise StateError(f"the console did not listen {clock.describe()}; see {log}")
