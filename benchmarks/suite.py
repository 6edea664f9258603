"""Benchmark (not a test): the whole offline suite's wall time against one example's full cycle.

1. Runs the suite (``pytest``) once, timing its wall clock; the session writes each example's phase
   times (init, plan, apply, second plan, destroy; all examples in parallel) to a JSON file.
2. Runs the slowest example's cycle ALONE on a fresh emulator: init → plan → apply → second plan → destroy.
3. Prints both and the ratio suite / single cycle (goal: ≤ 1.5 on 2 cores).

Usage: python benchmarks/suite.py [--example NAME] [--skip-suite] [-- extra pytest args]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from alblab import examples as ex
from alblab.session import Session
from alblab.sources import REPO_ROOT

PHASES = ("init", "plan", "apply", "second_plan", "destroy")


def run_suite(pytest_args: list[str], timings: Path) -> tuple[float, int]:
    env = {**os.environ, "ALBLAB_TIMINGS": str(timings)}
    start = time.monotonic()
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q", *pytest_args], cwd=REPO_ROOT, env=env
    )
    return time.monotonic() - start, proc.returncode


def single_cycle(example: str, work_root: Path) -> dict[str, float]:
    session = Session(work_root / "session")
    try:
        session.ensure_emulator()
        item = ex.prepare(session, example, ex.unique_name(ex.run_prefix(), example))
        start = time.monotonic()
        try:
            ex.apply(item)
            if item.error:
                raise item.error
            rc = item.handle.replan_exitcode()
            if rc != 0:
                print(f"warning: second plan of {example} is not clean (rc {rc})")
        finally:
            item.handle.destroy()
        item.times["cycle"] = round(time.monotonic() - start, 1)
        left = item.leftovers()
        if left:
            print(f"warning: left behind: {left}")
        return item.times
    finally:
        session.down()


def table(times: dict[str, dict[str, float]]) -> str:
    lines = [f"{'example':<14}" + "".join(f"{p:>13}" for p in PHASES) + f"{'sum':>9}"]
    for example, phases in sorted(times.items()):
        total = sum(phases.get(p, 0.0) for p in PHASES)
        lines.append(
            f"{example:<14}"
            + "".join(f"{phases.get(p, float('nan')):>13.1f}" for p in PHASES)
            + f"{total:>9.1f}"
        )
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--example", help="example for the single cycle (default: the slowest in the suite)")
    parser.add_argument("--skip-suite", action="store_true", help="only the single cycle")
    parser.add_argument("pytest_args", nargs="*", help="extra pytest arguments (after --)")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="alblab-bench-") as tmp:
        work = Path(tmp)
        suite_wall, rc, suite_times = None, 0, {}
        if not args.skip_suite:
            timings = work / "timings.json"
            suite_wall, rc = run_suite(args.pytest_args, timings)
            suite_times = json.loads(timings.read_text()) if timings.exists() else {}
            print(f"\nsuite: {suite_wall:.1f} s wall (pytest exit {rc})")
            print("per-example phase times inside the suite (s, all examples in parallel):")
            print(table(suite_times))
        example = args.example or (
            max(suite_times, key=lambda e: sum(suite_times[e].get(p, 0.0) for p in PHASES))
            if suite_times
            else "complete"
        )
        print(f"\nsingle cycle of {example}, alone on a fresh emulator ...", flush=True)
        cycle = single_cycle(example, work / "single")
        print(table({example: cycle}))
        print(f"single cycle: {cycle['cycle']:.1f} s wall")
        if suite_wall is not None:
            print(f"ratio suite / single cycle: {suite_wall / cycle['cycle']:.2f} (goal ≤ 1.5)")
        return rc


if __name__ == "__main__":
    sys.exit(main())
