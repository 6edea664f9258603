"""The suite's early jobs (tests/jobs.py): the longest first, at a lower priority, and a job a test waits for
while it is still queued runs at once in the test's own thread."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from jobs import JOBS_NICE, REGISTRY, JobContext, Jobs, early

HERE = Path(__file__).resolve()
NAMES = ("units_blocker", "units_queued")


@pytest.fixture
def registered() -> Iterator[dict[str, object]]:
    release = threading.Event()
    seen: dict[str, object] = {}

    def blocker(_ctx: JobContext) -> str:
        seen["blocker nice"] = os.getpriority(os.PRIO_PROCESS, 0)
        release.wait(30)
        return "blocker"

    def queued(_ctx: JobContext) -> str:
        seen["queued thread"] = threading.get_ident()
        return "queued"

    early(NAMES[0], seconds=100)(blocker)
    early(NAMES[1], seconds=1)(queued)
    seen["release"] = release
    try:
        yield seen
    finally:
        release.set()
        for name in NAMES:
            REGISTRY.pop(name, None)


def test_a_queued_job_a_test_waits_for_runs_in_the_tests_thread(
    registered: dict[str, object], tmp_path: Path
) -> None:
    jobs = Jobs(JobContext(tmp_path, None, "t", {}), {HERE}, workers=1)  # the blocker holds the only worker
    try:
        waiter = threading.Thread(target=lambda: registered.setdefault("result", jobs.result(NAMES[1])))
        waiter.start()
        waiter.join(10)
        assert not waiter.is_alive(), "the queued job waited for a free worker"
        assert registered["result"] == "queued"
        assert registered["queued thread"] == waiter.ident
        assert jobs.result(NAMES[1]) == "queued"  # kept for the next test that waits for it
    finally:
        release = registered["release"]
        assert isinstance(release, threading.Event)
        release.set()
        jobs.shutdown()
    assert registered["blocker nice"] == min(19, os.getpriority(os.PRIO_PROCESS, 0) + JOBS_NICE)
