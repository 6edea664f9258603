"""Heavy fixture work started at the beginning of the session, in background threads.

A test module registers the slow, Terraform-bound part of its fixture with ``@early("name")``; when the
session starts, every job whose module has selected tests begins at once (they overlap the pure-Python tests
and each other), and the module's fixture only waits for ``jobs.result("name")``. Without this, a module's
fixture would start its work only when pytest reaches that module, one module after the other.
"""

from __future__ import annotations

import sys
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
# name -> (test module, job, how long it takes: the longest start first, so they finish together)
REGISTRY: dict[str, tuple[Path, Job, float]] = {}


def early(name: str, seconds: float = 30.0) -> Callable[[Job], Job]:
    """Register ``fn`` as job ``name`` of the calling test module; ``seconds`` is its usual wall time."""
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
        self._futures: dict[str, Future[Any]] = {}
        self.context = context
        wanted = [(seconds, name, fn) for name, (f, fn, seconds) in REGISTRY.items() if f in selected_files]
        for _seconds, name, fn in sorted(wanted, key=lambda job: -job[0]):
            self._futures[name] = self._pool.submit(fn, context)

    def result(self, name: str) -> Any:
        if name not in self._futures:  # a module selected by a path pytest resolved differently
            self._futures[name] = self._pool.submit(REGISTRY[name][1], self.context)
        return self._futures[name].result()

    def shutdown(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)
