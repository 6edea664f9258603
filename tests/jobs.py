"""Heavy fixture work started at the beginning of the session, in background threads.

A test module registers the slow, Terraform-bound part of its fixture with ``@early("name")``; when the
session starts, every job whose module has selected tests begins at once (they overlap the pure-Python tests
and each other), and the module's fixture only waits for ``jobs.result("name")``. Without this, a module's
fixture would start its work only when pytest reaches that module, one module after the other.

The jobs run at a lower CPU priority than pytest's own thread (``JOBS_NICE``): that thread runs the tests one
after the other and is the suite's critical path, while the jobs mostly sit in the provider's waiters and can
take the CPU the tests leave. Linux keeps nice per thread and a child inherits its thread's, and the sessions
the jobs start (Terraform, emulators, providers) take it along (alblab.niceness).
"""

from __future__ import annotations

import json
import os
import sys
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class JobContext:
    """Session values a job may use."""

    work_root: Path
    endpoint: str | None
    run_prefix: str
    tf_env: dict[str, str]  # what each Terraform command adds to its environment (the shared provider)


Job = Callable[[JobContext], Any]
JOBS_NICE = int(os.environ.get("ALBLAB_JOBS_NICE", "10"))  # 0: the jobs compete with the tests as equals
# benchmarks/suite.py reads the jobs' nice and when each started and ended (s since the pool began) here.
TIMES_ENV = "ALBLAB_JOB_TIMES"
# name -> (test module, job, how long it takes: the longest start first, so they finish together)
REGISTRY: dict[str, tuple[Path, Job, float]] = {}


def early(name: str, seconds: float = 30.0) -> Callable[[Job], Job]:
    """Register ``fn`` as job ``name`` of the calling test module; ``seconds`` is its wall time in a whole
    suite run (benchmarks/suite.py prints each job's): the longest start first, so that none is left alone at
    the end."""
    # The caller's frame only: inspect.stack() would read the source of every frame, at collection time.
    module_file = Path(sys._getframe(1).f_code.co_filename).resolve()

    def register(fn: Job) -> Job:
        REGISTRY[name] = (module_file, fn, seconds)
        return fn

    return register


def registered_modules() -> set[Path]:
    """The test modules that registered a job."""
    return {module_file for module_file, _fn, _seconds in REGISTRY.values()}


class Jobs:
    # Enough to overlap the long, mostly waiting jobs (ALB waiters, health checks); the CPU-bound ones share
    # the two cores anyway.
    def __init__(self, context: JobContext, selected_files: set[Path], workers: int = 8) -> None:
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="alblab-job")
        self._workers = workers
        self._futures: dict[str, Future[Any]] = {}
        self._began = time.monotonic()
        # JOBS_NICE below pytest's own thread, also when the suite itself runs under `nice` (19: the lowest).
        self._nice = min(19, os.getpriority(os.PRIO_PROCESS, 0) + JOBS_NICE)
        self.times: dict[str, tuple[float, float]] = {}
        self.context = context
        wanted = [(seconds, name, fn) for name, (f, fn, seconds) in REGISTRY.items() if f in selected_files]
        for _seconds, name, fn in sorted(wanted, key=lambda job: -job[0]):
            self._submit(name, fn)

    def _submit(self, name: str, fn: Job) -> None:
        self._futures[name] = self._pool.submit(self._timed, name, fn, self._nice)

    def _timed(self, name: str, fn: Job, nice: int | None) -> Any:
        if nice is not None:  # per thread, so that pytest's own thread keeps its priority
            os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), nice)
        start = time.monotonic() - self._began
        try:
            return fn(self.context)
        finally:
            self.times[name] = (round(start, 1), round(time.monotonic() - self._began, 1))

    def result(self, name: str) -> Any:
        """The job's result; a job still queued behind the others is run here and now, in the caller's thread
        and at its priority: a test waits for it, so it is on the critical path."""
        if name not in self._futures:  # a module selected by a path pytest resolved differently
            self._submit(name, REGISTRY[name][1])
        queued = self._futures[name]
        if queued.cancel():
            here: Future[Any] = Future()
            self._futures[name] = here
            try:
                here.set_result(self._timed(name, REGISTRY[name][1], None))
            except BaseException as exc:  # kept for every test that waits for it, as a worker's would be
                here.set_exception(exc)
        return self._futures[name].result()

    def shutdown(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)
        path = os.environ.get(TIMES_ENV)
        if path:
            times = dict(sorted(self.times.items(), key=lambda kv: kv[1]))
            Path(path).write_text(json.dumps({"nice": self._nice, "workers": self._workers, "jobs": times}))
