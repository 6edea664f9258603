"""Processes of the data plane: identity, spawn, stop. Only ever by PID, and only a PID proven ours.

A PID alone can be recycled, so a process is known by (PID, start time): the pair names one process for
the life of the machine. Every process a plane starts also carries ``ALBLAB_PLANE=<marker>`` in its
environment (inherited by HAProxy's workers and re-executed masters), so that a plane interrupted between
starting a process and recording it can still find it: :func:`marked`.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from alblab import niceness
from alblab.pids import alive

MARKER_VAR = "ALBLAB_PLANE"
_POLL_S = 0.02
# Our own children, so that stopping one also reaps it (a dead child stays a zombie until reaped).
_CHILDREN: dict[int, subprocess.Popen[bytes]] = {}


@dataclass(frozen=True)
class ProcId:
    pid: int
    start: int  # field 22 of /proc/<pid>/stat: clock ticks after boot at which the process started

    def running(self) -> bool:
        return start_time(self.pid) == self.start and alive(self.pid)


@dataclass(frozen=True)
class Proc:
    name: str  # "haproxy:<node ns>", "backend:<host ns>"
    ns: str
    pid: int
    start: int
    log: str

    @property
    def id(self) -> ProcId:
        return ProcId(self.pid, self.start)


def start_time(pid: int) -> int | None:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    # The command name (field 2) may hold spaces and parentheses: count fields after its closing ')'.
    fields = stat[stat.rindex(")") + 2 :].split()
    return int(fields[19])


def spawn(
    argv: Sequence[str], log: Path, marker: str, env: dict[str, str] | None = None
) -> subprocess.Popen[bytes]:
    """Start ``argv`` detached (own session: a Ctrl-C in the caller's terminal does not reach it)."""
    with log.open("ab") as out:
        popen = subprocess.Popen(
            list(argv),
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
            env={**(env if env is not None else os.environ), MARKER_VAR: marker},
        )
    niceness.carry_into_session(popen.pid)
    _CHILDREN[popen.pid] = popen
    return popen


def identify(popen: subprocess.Popen[bytes]) -> ProcId:
    start = start_time(popen.pid)
    if start is None:  # it exited at once; record something that can never match a live process
        start = -1
    return ProcId(popen.pid, start)


def _running(proc: ProcId) -> bool:
    child = _CHILDREN.get(proc.pid)
    if child is not None:
        if child.poll() is None:
            return True
        del _CHILDREN[proc.pid]  # reaped: no zombie left behind
        return False
    return proc.running()


def stop_many(ids: Iterable[ProcId], timeout: float = 3.0) -> None:
    """SIGTERM, then SIGKILL to what is left; returns once all are gone. Never signals a PID that is not
    the process recorded (gone, or recycled by someone else)."""
    pending = [p for p in ids if _running(p)]
    for sig in (signal.SIGTERM, signal.SIGKILL):
        for proc in pending:
            if proc.running():
                with contextlib.suppress(ProcessLookupError):
                    os.kill(proc.pid, sig)
        deadline = time.monotonic() + timeout
        while pending and time.monotonic() < deadline:
            pending = [p for p in pending if _running(p)]
            if pending:
                time.sleep(_POLL_S)
        if not pending:
            return


def marked(marker: str) -> list[ProcId]:
    """Live processes of this user whose environment carries this plane's marker."""
    needle = f"{MARKER_VAR}={marker}".encode()
    uid = os.getuid()
    found: list[ProcId] = []
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        pid = int(entry.name)
        try:
            if entry.stat().st_uid != uid or pid == os.getpid():
                continue
            environ = Path(f"/proc/{pid}/environ").read_bytes()
        except OSError:
            continue
        start = start_time(pid)
        if needle in environ.split(b"\0") and start is not None and alive(pid):
            found.append(ProcId(pid, start))
    return found


class ProcTable:
    """The named processes of one plane, saved (through ``persist``) as soon as each one starts."""

    def __init__(
        self,
        procs: dict[str, Proc],
        exec_argv: Callable[[str, Sequence[str]], list[str]],
        marker: str,
        persist: Callable[[], None],
    ) -> None:
        self.procs = procs
        self._exec_argv = exec_argv
        self._marker = marker
        self._persist = persist

    def spawn(
        self, name: str, ns: str, argv: Sequence[str], log: Path, env: dict[str, str] | None = None
    ) -> Proc:
        self.stop(name)
        popen = spawn(self._exec_argv(ns, argv), log, self._marker, env)
        pid = identify(popen)
        proc = Proc(name, ns, pid.pid, pid.start, str(log))
        self.procs[name] = proc
        self._persist()
        return proc

    def is_running(self, name: str) -> bool:
        proc = self.procs.get(name)
        return proc is not None and _running(proc.id)

    def stop(self, name: str) -> None:
        proc = self.procs.get(name)
        if proc is None:
            return
        stop_many([proc.id])
        del self.procs[name]
        self._persist()
