"""Benchmark (not a test): a change check (`alblab check DIR --base BASE`) beside a plain check of DIR.

Both are run as a user runs them (subprocesses, each with a TMPDIR and state directory of its own), in turn,
``--runs`` times, the order alternating (plain first, then the change first) so that a drift of the shared
machine's speed hits both alike. DIR is an example with one realistic change (default: ``basic`` whose target
group gets a name of its own, which replaces the group while the listener uses it); BASE is the example as
it is. Prints each run's wall time, the seconds of each check from the JSON reports, the ratio change / plain
per pair and the median ratio (goal: at most 1.7).

Usage: python benchmarks/change.py [--runs N] [--no-dataplane]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from alblab.sources import EXAMPLES_DIR
from alblab.workspace import copy_config

GOAL = 1.7
BASE = EXAMPLES_DIR / "basic"
# The change: the target group gets a name of its own (the same change the suite applies to basic).
EDIT = ("main.tf", "    web = {\n", '    web = {\n      name        = "${var.name}-site"\n')


def changed_copy(into: Path) -> Path:
    copy = copy_config(BASE, into)
    name, text, replacement = EDIT
    original = (copy / name).read_text()
    assert original.count(text) == 1, "examples/basic changed: update the benchmark's edit"
    (copy / name).write_text(original.replace(text, replacement))
    return copy


def check(args: list[str], work: Path) -> tuple[float, int, dict]:  # type: ignore[type-arg]
    """(wall seconds, exit code, the JSON report) of one `alblab check`."""
    work.mkdir(parents=True)
    report = work / "report.json"
    env = {**os.environ, "TMPDIR": str(work), "ALBLAB_HOME": str(work / "home")}
    argv = [sys.executable, "-m", "alblab.cli", "check", *args, "--json", str(report)]
    start = time.monotonic()
    proc = subprocess.run(argv, env=env, capture_output=True, text=True, check=False)
    wall = time.monotonic() - start
    if proc.returncode != 0:
        print(proc.stdout[-3000:] + proc.stderr[-2000:])
    return wall, proc.returncode, json.loads(report.read_text()) if report.exists() else {}


def seconds(report: dict) -> str:  # type: ignore[type-arg]
    return ", ".join(f"{c['name']} {c['seconds']:.0f}" for c in report.get("checks", []) if c["seconds"] >= 1)


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--no-dataplane", action="store_true")
    args = parser.parse_args()
    extra = ["--no-dataplane"] if args.no_dataplane else []
    ratios, walls = [], {"plain": [], "change": []}  # type: ignore[var-annotated]
    with tempfile.TemporaryDirectory(prefix="alblab-bench-change-") as tmp:
        change_dir = changed_copy(Path(tmp) / "changed")
        kinds = {"plain": [str(change_dir), *extra], "change": [str(change_dir), "--base", str(BASE), *extra]}
        for run in range(args.runs):
            order = ["plain", "change"] if run % 2 == 0 else ["change", "plain"]
            got = {}
            for kind in order:
                load = os.getloadavg()[0]
                wall, rc, report = check(kinds[kind], Path(tmp) / f"{run}-{kind}")
                got[kind] = wall
                walls[kind].append(wall)
                print(f"run {run + 1} {kind:<6} {wall:6.1f} s  rc {rc}  load {load:.1f}  ({seconds(report)})")
            ratios.append(got["change"] / got["plain"])
            print(f"run {run + 1} ratio change/plain {ratios[-1]:.2f}")
    median = statistics.median(ratios)
    print(
        f"\nplain check: median {statistics.median(walls['plain']):.1f} s "
        f"(min {min(walls['plain']):.1f}, max {max(walls['plain']):.1f})"
    )
    print(
        f"change check: median {statistics.median(walls['change']):.1f} s "
        f"(min {min(walls['change']):.1f}, max {max(walls['change']):.1f})"
    )
    pairs = ", ".join(f"{r:.2f}" for r in ratios)
    print(f"ratio change/plain: median {median:.2f} (pairs: {pairs}); goal <= {GOAL}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
