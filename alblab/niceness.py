"""A process started in a session of its own keeps the CPU priority (nice) of the thread that started it.

Linux with autogroup scheduling (``/proc/sys/kernel/sched_autogroup_enabled``) shares the CPU fairly between
sessions first, and only inside a session by nice. The emulator, the shared provider and Terraform (through
its launcher's ``setsid``) each start a new session, so a ``nice`` on the caller — a CI job run at low
priority, the test suite's background jobs — would stop at them: each new session starts at autogroup nice 0.
Writing the starter's nice into the new session's ``/proc/<pid>/autogroup`` carries it over. Raising a nice
needs no privilege; a starter at nice 0 or below writes nothing.
"""

from __future__ import annotations

import contextlib
import os
import shlex
from pathlib import Path

# For Terraform's launcher (a POSIX sh script), run after its ``setsid``: the same carry, in sh (``nice``
# without arguments prints the nice it inherited).
LAUNCHER_SH = (
    'n=$(nice 2>/dev/null); [ "${n:-0}" -gt 0 ] 2>/dev/null && echo "$n" > /proc/$$/autogroup 2>/dev/null\n'
)


def current() -> int:
    """The calling thread's nice (Linux keeps nice per thread; a child inherits its thread's)."""
    return os.getpriority(os.PRIO_PROCESS, 0)


def carry_into_session(pid: int) -> None:
    """Give the session that ``pid`` leads the calling thread's nice, when that is above 0."""
    nice = current()
    if nice <= 0:
        return
    with contextlib.suppress(OSError):  # no autogroup support, or the process is already gone
        Path(f"/proc/{pid}/autogroup").write_text(f"{nice}\n")


def launcher_exec(setsid: str, program: str) -> str:
    """The launcher's last line: a new session that takes the launcher's nice, then ``program "$@"``."""
    body = LAUNCHER_SH + f'exec {program} "$@"\n'
    return f'exec {setsid} /bin/sh -c {shlex.quote(body)} sh "$@"\n'
