"""Where alblab keeps traces of its own work when asked (``ALBLAB_TRACE=<directory>``, set by
``benchmarks/check.py``): each apply's and destroy's Terraform events, the state before a destroy, the shared
aws provider's debug log (each AWS call it makes, with its duration) and the emulator's time per request.
Nothing is traced without it."""

from __future__ import annotations

import os
import time
from pathlib import Path

TRACE_ENV = "ALBLAB_TRACE"


def trace_dir() -> Path | None:
    where = os.environ.get(TRACE_ENV)
    return Path(where) if where else None


def trace_path(stem: str, suffix: str) -> Path | None:
    """A new file ``<stem>.<ns>.<suffix>`` in the trace directory, or None when not tracing."""
    where = trace_dir()
    return where / f"{stem}.{time.time_ns()}.{suffix}" if where else None
