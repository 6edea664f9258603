"""Processes the data plane starts inside its namespaces: spawn, record, and stop them by PID only.

A PID is signalled only while it is alive (not a zombie: ``kill -0`` succeeds on zombies) and while
``ip netns identify`` names one of our own namespaces, so a recycled PID of someone else is never hit.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import time
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

from alblab.dataplane import netns


@dataclass(frozen=True)
class Proc:
    pid: int
    ns: str
    name: str  # "haproxy:<node ns>", "backend:<instance id>", ...
    log: str


def state_of(pid: int) -> str | None:
    """The /proc State letter (R, S, Z, ...), or None when the PID is gone."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("State:"):
                return line.split()[1]
    except (FileNotFoundError, ProcessLookupError, IndexError):
        return None
    return None


def alive(pid: int) -> bool:
    state = state_of(pid)
    return state is not None and state not in ("Z", "X")


class ProcTable:
    """The PIDs of one data plane; persisted as JSON so a later CLI process can stop them."""

    def __init__(self, path: Path, namespaces: Iterable[str] = ()) -> None:
        self.path = path
        self.procs: dict[str, Proc] = {}
        self._popen: dict[int, subprocess.Popen[bytes]] = {}
        if path.exists():
            self.procs = {p["name"]: Proc(**p) for p in json.loads(path.read_text())}
        self.namespaces = set(namespaces)

    def save(self) -> None:
        self.path.write_text(json.dumps([asdict(p) for p in self.procs.values()], indent=1) + "\n")

    def spawn(
        self, name: str, ns: str, argv: Sequence[str], log: Path, env: dict[str, str] | None = None
    ) -> Proc:
        if name in self.procs:
            self.stop(name)
        with log.open("ab") as out:
            popen = subprocess.Popen(
                netns.exec_argv(ns, argv),
                stdout=out,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                # Own session: Ctrl-C in the CLI does not hit it, and `alblab up` can exit while it runs.
                start_new_session=True,
                env=env,
            )
        proc = Proc(popen.pid, ns, name, str(log))
        self.procs[name] = proc
        self._popen[popen.pid] = popen
        self.namespaces.add(ns)
        self.save()
        return proc

    def is_running(self, name: str) -> bool:
        proc = self.procs.get(name)
        return proc is not None and alive(proc.pid)

    def stop(self, name: str, timeout: float = 3.0) -> None:
        proc = self.procs.pop(name, None)
        if proc is None:
            return
        self._signal(proc, signal.SIGTERM)
        deadline = time.monotonic() + timeout
        while self._still_running(proc) and time.monotonic() < deadline:
            time.sleep(0.02)
        if self._still_running(proc):
            self._signal(proc, signal.SIGKILL)
            deadline = time.monotonic() + timeout
            while self._still_running(proc) and time.monotonic() < deadline:
                time.sleep(0.02)
        self._popen.pop(proc.pid, None)
        self.save()

    def stop_all(self, names: Iterable[str] | None = None) -> None:
        for name in list(names if names is not None else self.procs):
            self.stop(name)

    def _still_running(self, proc: Proc) -> bool:
        popen = self._popen.get(proc.pid)
        if popen is not None:
            return popen.poll() is None  # our own child: poll() reaps it, so no zombie is left
        return alive(proc.pid)

    def _signal(self, proc: Proc, sig: signal.Signals) -> None:
        if not alive(proc.pid):
            return
        if netns.identify(proc.pid) != proc.ns or proc.ns not in self.namespaces:
            return  # the PID was recycled by someone else: not ours to signal
        with contextlib.suppress(ProcessLookupError):
            os.kill(proc.pid, sig)
