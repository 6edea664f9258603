"""A start timeout does not count the time the starting process waited for a CPU (alblab.startclock).

CI saw it: early jobs at nice 10 under load waited more than 60 s for the emulator's first answer, the check
and the lab reported "the AWS emulator did not answer", though the emulator was only waiting for its turn.
The run-queue wait comes from /proc/PID/task/TID/schedstat (Linux's Documentation/scheduler/sched-stats.rst).
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from alblab import startclock
from alblab.emulator import Emulator, EmulatorError
from alblab.startclock import StartClock, queued_s

SPIN = [sys.executable, "-c", "while True: pass"]


@pytest.fixture
def one_cpu_contest() -> Iterator[tuple[int, int]]:
    """Two spinning processes on one CPU: one at the nice of this test, one at nice 19 (it mostly queues)."""
    cpu = str(min(os.sched_getaffinity(0)))
    procs = [
        subprocess.Popen(["taskset", "-c", cpu, *SPIN]),
        subprocess.Popen(["taskset", "-c", cpu, "nice", "-n", "19", *SPIN]),
    ]
    try:
        yield procs[0].pid, procs[1].pid
    finally:
        for proc in procs:
            proc.kill()
            proc.wait()


def test_the_time_a_process_queued_for_a_cpu_is_not_counted(one_cpu_contest: tuple[int, int]) -> None:
    fair, starved = one_cpu_contest
    fair_clock, starved_clock = StartClock(fair, 1.0), StartClock(starved, 1.0)
    began = time.monotonic()
    while time.monotonic() - began < 2.0:
        time.sleep(0.1)
    waited = time.monotonic() - began
    fair_queued, starved_queued = queued_s(fair), queued_s(starved)
    assert starved_queued > waited / 2, (starved_queued, waited)
    assert starved_queued > fair_queued, (starved_queued, fair_queued)
    assert not starved_clock.expired()  # it had a fraction of its second: still starting
    assert "waiting for a CPU" in starved_clock.describe()
    if fair_queued < waited - 1.0:  # the fair one had more than its second (unless the machine is swamped)
        assert fair_clock.expired()


def test_a_start_that_never_queues_has_its_wall_time_and_a_process_gone_queues_nothing() -> None:
    sleeper = subprocess.Popen([sys.executable, "-c", "import time; print(flush=True); time.sleep(60)"],
                               stdout=subprocess.PIPE)  # fmt: skip
    try:
        assert sleeper.stdout is not None
        assert sleeper.stdout.readline() == b"\n"  # started: it only sleeps from now on
        clock, began = StartClock(sleeper.pid, 0.3), time.monotonic()
        while not clock.expired() and time.monotonic() - began < 30:
            time.sleep(0.02)
        assert 0.3 <= time.monotonic() - began < 30
        assert clock.describe() == "in 0.3 s"
    finally:
        sleeper.kill()
        sleeper.wait()
    assert queued_s(sleeper.pid) == 0.0


def test_the_wall_cap_ends_even_a_start_that_only_queued(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(startclock, "queued_s", lambda pid: 0.0)
    clock = StartClock(os.getpid(), 0.2)
    monkeypatch.setattr(startclock, "queued_s", lambda pid: 1e6)  # it queued all the time since
    time.sleep(0.3)
    assert not clock.expired()
    monkeypatch.setattr(startclock, "WALL_CAP", 1.0)
    assert clock.expired()


def test_the_emulator_waits_for_a_starved_start_until_the_wall_cap(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """An emulator that only ever queued (simulated: its queue time grows with the wall time) is given up on
    at the cap, not at its timeout; the message says how long it queued."""
    began = time.monotonic()
    monkeypatch.setattr(startclock, "queued_s", lambda pid: time.monotonic() - began)
    monkeypatch.setattr(startclock, "WALL_CAP", 4.0)
    emulator = Emulator(state_dir=tmp_path)  # a port nothing listens on
    emulator._proc = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    emulator._log = tmp_path / "moto.log"
    t0 = time.monotonic()
    message = r"did not answer on .* in 0\.5 s \(and \d+ s more waiting for a CPU\)"
    with pytest.raises(EmulatorError, match=message):
        emulator.wait_ready(timeout=0.5)
    assert time.monotonic() - t0 >= 2.0  # 4 x 0.5 s, not 0.5 s
    assert emulator._proc is None  # stopped (and reaped) when it gave up
