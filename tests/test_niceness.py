"""A process we start in a session of its own keeps its starter's nice (alblab.niceness): with autogroup
scheduling, a new session would otherwise compete at nice 0 with everything else on the machine."""

from __future__ import annotations

import os
import subprocess
import threading
from pathlib import Path

import pytest

from alblab import niceness
from alblab.terraform import _write_launcher

pytestmark = pytest.mark.skipif(
    not Path("/proc/self/autogroup").exists(), reason="the kernel has no autogroup scheduling"
)
NICE = 10


def niced(by: int) -> int:
    """The nice of a child started ``by`` lower than this thread (19 is the lowest)."""
    return min(19, max(niceness.current(), 0) + by)


def autogroup_nice(pid: int) -> int:
    # "/autogroup-123 nice 10"
    return int(Path(f"/proc/{pid}/autogroup").read_text().split()[-1])


def session_of(pid: int) -> int:
    stat = Path(f"/proc/{pid}/stat").read_text()
    return int(stat[stat.rindex(")") + 2 :].split()[3])


def test_terraform_started_through_the_launcher_keeps_the_launchers_nice(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    fake = bin_dir / "terraform"  # prints what the real one would run with
    fake.write_text("#!/bin/sh\ncat /proc/$$/autogroup\ncut -d' ' -f6 /proc/$$/stat\n")
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    work = tmp_path / "work"
    work.mkdir()
    launcher = _write_launcher(work, {})
    out = subprocess.run(
        ["nice", "-n", str(NICE), str(launcher), "version"],
        cwd=work,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split("\n")
    assert out[0].endswith(f"nice {niced(NICE)}"), out
    assert int(out[1]) != os.getsid(0), "the launcher must still start Terraform in a session of its own"


def test_a_session_started_from_a_niced_thread_keeps_the_threads_nice() -> None:
    seen: dict[str, int] = {}

    def start(label: str, nice: int | None) -> None:
        if nice is not None:
            os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), nice)  # this thread only
        proc = subprocess.Popen(["sleep", "30"], start_new_session=True)
        try:
            niceness.carry_into_session(proc.pid)
            seen[label] = autogroup_nice(proc.pid)
            seen[label + " session"] = session_of(proc.pid)
        finally:
            proc.kill()
            proc.wait()

    for label, nice in (("niced", niced(NICE)), ("plain", None)):
        thread = threading.Thread(target=start, args=(label, nice))
        thread.start()
        thread.join()
    assert seen["niced"] == niced(NICE)
    assert seen["plain"] == niced(0)  # a suite itself run under `nice` carries that
    assert seen["niced session"] != os.getsid(0)
