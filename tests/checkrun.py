"""`alblab check` run as CI runs it, in a subprocess with a TMPDIR and ALBLAB_HOME of its own: what it
printed, wrote (JSON, JUnit) and left behind (processes carrying its TMPDIR, files in it); then whatever it
left is cleaned up."""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

from procscan import CLI, clean_up, with_env

MOTO_AMI = "ami-1e749f67"


@dataclass
class Run:
    rc: int
    out: str
    report: dict  # type: ignore[type-arg]
    junit: ElementTree.Element | None
    tmp: Path
    left_processes: list[int]
    left_files: list[str]


def environment(tmp: Path) -> dict[str, str]:
    return {**os.environ, "TMPDIR": str(tmp), "ALBLAB_HOME": str(tmp / "home"), "PYTHONUNBUFFERED": "1"}


def outputs(tmp: Path) -> list[str]:
    return ["--json", str(tmp / "report.json"), "--junit-xml", str(tmp / "junit.xml")]


def check(tmp: Path, *args: str, timeout: float = 800) -> Run:
    tmp.mkdir(parents=True, exist_ok=True)
    argv = [*CLI, "check", *args, *outputs(tmp)]
    proc = subprocess.run(
        argv, capture_output=True, text=True, env=environment(tmp), timeout=timeout, check=False
    )
    return finished(tmp, proc.returncode, proc.stdout + proc.stderr)


def finished(tmp: Path, rc: int, out: str) -> Run:
    """What a run printed, wrote and left, recorded; then whatever it left is cleaned up."""
    report, junit = tmp / "report.json", tmp / "junit.xml"
    env = environment(tmp)
    data = json.loads(report.read_text()) if report.exists() else {}
    xml = ElementTree.parse(junit).getroot() if junit.exists() else None
    left_files = [p.name for p in tmp.iterdir() if p.name not in ("report.json", "junit.xml")]
    run = Run(rc, out, data, xml, tmp, with_env("TMPDIR", tmp), left_files)
    # Recorded for the tests to judge; then removed, so a failing check does not leave this machine dirty.
    homes = [home for home in [tmp / "home", *tmp.glob("alblab-check-*")] if home.is_dir()]
    clean_up("TMPDIR", tmp, env, homes)
    return run


def statuses(run: Run) -> dict[str, str]:
    return {c["name"]: c["status"] for c in run.report["checks"]}


def side_by_side(run: Callable[..., Run], jobs: dict[str, tuple[Any, ...]]) -> dict[str, Run]:
    """``run(*args)`` for each job at once (most of a check is the provider's waiters, not CPU)."""
    with ThreadPoolExecutor(max_workers=len(jobs)) as pool:
        futures = {key: pool.submit(run, *args) for key, args in jobs.items()}
        return {key: f.result() for key, f in futures.items()}


def config_that_does_not_plan(directory: Path) -> Path:
    """A configuration whose plan fails on a validation ("size must be positive."), as given or with -1."""
    directory.mkdir(parents=True)
    (directory / "main.tf").write_text(
        'variable "size" {\n  type    = number\n  default = -1\n  validation {\n'
        '    condition     = var.size > 0\n    error_message = "size must be positive."\n  }\n}\n'
    )
    return directory
