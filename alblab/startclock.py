"""A start timeout that counts the time a starting process could run, not the time it queued for a CPU.

A server alblab starts (the emulator, the shared provider) runs in a session of its own at its starter's nice
(alblab.niceness). On a loaded machine — a CI runner, a job run under ``nice`` — such a process can wait
minutes for a CPU before it has imported what it needs, and a wall-clock timeout then gives up on a healthy
server. Linux counts each thread's run-queue wait in ``/proc/PID/task/TID/schedstat`` (the second field, in
ns): the wall time less that wait is the time the start really had. A cap in wall time still ends a start
that never gets anywhere.
"""

from __future__ import annotations

import time
from pathlib import Path

# The longest a start may take in wall time, as a multiple of its timeout, however long it queued.
WALL_CAP = 10.0


def queued_s(pid: int) -> float:
    """Seconds the threads of ``pid`` alive now have spent waiting for a CPU; 0 when it is gone or the kernel
    keeps no schedstat (the timeout is then plain wall time)."""
    total = 0
    try:
        tasks = list(Path(f"/proc/{pid}/task").iterdir())
    except OSError:
        return 0.0
    for task in tasks:
        try:
            total += int((task / "schedstat").read_text().split()[1])
        except (OSError, IndexError, ValueError):  # a thread that ended meanwhile
            continue
    return total / 1e9


class StartClock:
    """``timeout`` seconds of a start of ``pid``, not counting the time it queued for a CPU."""

    def __init__(self, pid: int, timeout: float) -> None:
        self.pid = pid
        self.timeout = timeout
        self._began = time.monotonic()
        self._queued_before = queued_s(pid)
        self._queued = 0.0

    def expired(self) -> bool:
        wall = time.monotonic() - self._began
        if wall < self.timeout:  # queueing only ever adds time: /proc is read once the wall time is up
            return False
        self._queued = max(self._queued, queued_s(self.pid) - self._queued_before)
        return wall >= self.timeout * WALL_CAP or wall - self._queued >= self.timeout

    def describe(self) -> str:
        """For the message when it expired: "in 60 s" and, when it queued, for how long."""
        waited = f" (and {self._queued:.0f} s more waiting for a CPU)" if self._queued >= 1 else ""
        return f"in {self.timeout:g} s{waited}"
