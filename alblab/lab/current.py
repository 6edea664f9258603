"""The lab's current step, in a file of the lab dir: the lab daemon writes it, the web console reads it
(asking the daemon would wait behind a running apply)."""

from __future__ import annotations

from pathlib import Path

from alblab import records
from alblab.errors import StateError

STEP_FILE = "step.json"


def save(lab_dir: Path, step: int) -> None:
    records.write_json(lab_dir / STEP_FILE, {"step": step})


def load(lab_dir: Path) -> int | None:
    try:
        data = records.read_json(lab_dir / STEP_FILE)
    except StateError:
        return None
    return int(data["step"]) if isinstance(data, dict) and "step" in data else None


def forget(lab_dir: Path) -> None:
    (lab_dir / STEP_FILE).unlink(missing_ok=True)
