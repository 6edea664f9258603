"""Benchmark (not a test): the whole suite's wall time beside one example's full cycle, measured in one run.

1. The suite (``pytest`` with the same options as ``make test``), timed, while a sampler records the CPU of
   every process it starts, by kind (``procstat``), and the launcher logs every terraform command; pytest
   writes a JUnit report whose per-test times give the wall per phase.
2. The fast lane (``-m "not apply and not dataplane and not lifecycle"``, what ``make test-fast`` runs),
   timed.
3. One example's full cycle ALONE on a fresh emulator: init → plan → apply → second plan → destroy.
4. The ratio suite / cycle (goal ≤ 1.5), the fast lane (goal ≤ 90 s), the test ids (compared with
   ``benchmarks/test-ids-baseline.txt``: nothing may disappear), terraform commands by kind, CPU by kind,
   and the phases the suite spent its wall time in.

Usage: python benchmarks/suite.py [--example NAME] [--skip-suite] [--skip-fast] [-- extra pytest args]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

sys.path.insert(0, str(Path(__file__).parent))
sys.path.insert(1, str(Path(__file__).parents[1] / "tests"))
from jobs import TIMES_ENV as JOB_TIMES_ENV
from procstat import CLK, CpuSampler

from alblab import examples as ex
from alblab.session import Session
from alblab.sources import REPO_ROOT

PHASES = ("init", "plan", "apply", "second_plan", "destroy")
FAST_LANE = "not apply and not dataplane and not lifecycle"  # as the Makefile's test-fast
BASELINE = Path(__file__).with_name("test-ids-baseline.txt")
# The suite against its own CPU floor: wall within 1.2 x (sampled CPU-s of its processes / cores), and its CPU
# per test id no higher than the sampled 846 CPU-s over 603 ids of the run before the speed work.
FLOOR_GOAL, BEFORE_CPU, BEFORE_IDS = 1.2, 846, 603
BUSY_BUCKET = (
    30.0  # seconds per figure of the suite's cores-busy timeline (where it waits instead of working)
)
PYTEST = [sys.executable, "-m", "pytest", "-p", "no:cacheprovider"]
# What each test file is for, to say where the suite's wall time goes.
GROUPS = {
    "static": (
        "test_static",
        "test_terraform_adapter",
        "test_examples_layout",
        "test_readme_snippet",
        "test_gen",
    ),
    "plan + bad input": ("test_plan", "test_bad_input"),
    "apply + mission": ("test_apply", "test_mission"),
    "data plane": ("test_dataplane",),
    "lab": ("test_lab",),
    "check, plugin, faults": ("test_check", "test_plugin", "test_faults"),
}


def pytest_argv(extra: list[str], junit: Path) -> list[str]:
    return [*PYTEST, "-q", f"--junitxml={junit}", *extra]


def run_pytest(argv: list[str], env: dict[str, str]) -> tuple[float, int, float]:
    """(wall, exit code, CPU seconds of every descendant, from getrusage)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.monotonic()
    proc = subprocess.run(argv, cwd=REPO_ROOT, env=env, check=False)
    wall = time.monotonic() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, proc.returncode, cpu


def collect_ids(extra: list[str]) -> list[str]:
    out = subprocess.run(
        [*PYTEST, "--collect-only", "-q", *extra],
        cwd=REPO_ROOT, capture_output=True, text=True, check=False,
    ).stdout  # fmt: skip
    return sorted(line for line in out.splitlines() if "::" in line)


def phases(junit: Path) -> dict[str, float]:
    """Wall seconds per group of test files (setup + call + teardown of each test)."""
    spent: dict[str, float] = defaultdict(float)
    for case in ElementTree.parse(junit).getroot().iter("testcase"):
        name = (case.get("classname") or "").split(".")[-1]
        group = next((g for g, files in GROUPS.items() if name.startswith(files)), "unit tests")
        spent[group] += float(case.get("time") or 0)
    return dict(sorted(spent.items(), key=lambda kv: -kv[1]))


def single_cycle(
    example: str, work_root: Path, before_down: Callable[[Session, dict[str, float]], None] | None = None
) -> dict[str, float]:
    """One example's cycle on a fresh emulator; ``before_down`` may read the session before it is removed."""
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
        item.times["emulator_cpu"] = process_cpu(session.record.emulator_pid)
        left = item.leftovers()
        if left:
            print(f"warning: left behind: {left}")
        if before_down is not None:
            before_down(session, item.times)
        return item.times
    finally:
        session.down()


def process_cpu(pid: int) -> float:
    """User + system CPU seconds a running process has used so far (0 when it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return round((int(fields[11]) + int(fields[12])) / CLK, 2)


def table(times: dict[str, dict[str, float]]) -> str:
    lines = [f"{'example':<14}" + "".join(f"{p:>13}" for p in PHASES) + f"{'sum':>9}"]
    for example, got in sorted(times.items()):
        total = sum(got.get(p, 0.0) for p in PHASES)
        lines.append(
            f"{example:<14}"
            + "".join(f"{got.get(p, float('nan')):>13.1f}" for p in PHASES)
            + f"{total:>9.1f}"
        )
    return "\n".join(lines)


def print_jobs(record: dict[str, Any]) -> None:
    """The early jobs' timeline (tests/jobs.py): a late start or a long tail is where the suite waits."""
    jobs = record["jobs"]
    print(
        f"early jobs: {len(jobs)} on {record['workers']} threads at nice {record['nice']}; s from the start:"
    )
    for name, (start, end) in jobs.items():
        print(f"  {name:<26} {start:7.1f} → {end:7.1f}  ({end - start:6.1f})")


def compare_ids(ids: list[str]) -> None:
    print(f"test ids now: {len(ids)}")
    if not BASELINE.exists():
        return
    baseline = [line for line in BASELINE.read_text().splitlines() if line.strip()]
    gone = sorted(set(baseline) - set(ids))
    print(
        f"test ids in the baseline ({BASELINE.name}): {len(baseline)}; new: {len(set(ids) - set(baseline))}"
    )
    if gone:
        print(f"in the baseline, not collected now ({len(gone)}, renamed or removed):")
        for test_id in gone:
            print(f"  {test_id}")


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--example", default="complete", help="example for the single cycle (default complete)"
    )
    parser.add_argument("--skip-suite", action="store_true")
    parser.add_argument("--skip-fast", action="store_true")
    parser.add_argument("pytest_args", nargs="*", help="extra pytest arguments (after --)")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="alblab-bench-") as tmp:
        work = Path(tmp)
        ids = collect_ids(args.pytest_args)
        compare_ids(ids)
        results: dict[str, float] = {}
        rc = 0
        if not args.skip_suite:
            tf_log, junit, timings = work / "terraform.log", work / "suite.xml", work / "timings.json"
            job_times = work / "jobs.json"
            env = {
                **os.environ,
                "ALBLAB_TF_LOG": str(tf_log),
                "ALBLAB_TIMINGS": str(timings),
                JOB_TIMES_ENV: str(job_times),
            }
            with CpuSampler() as sampler:
                wall, rc, cpu = run_pytest(pytest_argv(args.pytest_args, junit), env)
            results["suite"] = wall
            print(f"\nsuite: {wall:.1f} s wall (pytest exit {rc}), {cpu:.0f} CPU-s in all processes")
            lines = tf_log.read_text().splitlines() if tf_log.exists() else []
            commands = Counter(line.split()[0] for line in lines)
            print("terraform commands: " + ", ".join(f"{k} {n}" for k, n in commands.most_common()))
            by_kind = sorted(sampler.by_kind().items(), key=lambda kv: -kv[1])
            print("CPU seconds by process (sampled): " + ", ".join(f"{k} {s:.0f}" for k, s in by_kind if s))
            sampled, cores = sampler.total(), os.cpu_count() or 1
            floor = sampled / cores
            print(
                f"CPU floor: {sampled:.0f} sampled CPU-s / {cores} cores = {floor:.1f} s; "
                f"suite wall / CPU floor {wall / floor:.2f} (goal <= {FLOOR_GOAL})"
            )
            print(
                f"CPU per test id: {sampled / len(ids):.2f} CPU-s ({sampled:.0f} / {len(ids)} ids); "
                f"before: {BEFORE_CPU / BEFORE_IDS:.2f} ({BEFORE_CPU} / {BEFORE_IDS}), goal: no higher"
            )
            print(
                f"cores busy, each {BUSY_BUCKET:.0f} s of the suite: "
                + " ".join(f"{b:.1f}" for b in sampler.busy(BUSY_BUCKET))
            )
            if junit.exists():
                print("wall seconds per phase (sum of its tests' setup + call + teardown):")
                for group, sec in phases(junit).items():
                    print(f"  {group:<24} {sec:7.1f}")
            if job_times.exists():
                print_jobs(json.loads(job_times.read_text()))
            if timings.exists():
                print("per-example phase times inside the suite (s, all examples at once):")
                print(table(json.loads(timings.read_text())))
        if not args.skip_fast:
            fast_wall, fast_rc, fast_cpu = run_pytest(
                pytest_argv(["-m", FAST_LANE, *args.pytest_args], work / "fast.xml"),
                dict(os.environ),
            )
            results["fast"] = fast_wall
            print(
                f"\nfast lane (make test-fast): {fast_wall:.1f} s wall (exit {fast_rc}), {fast_cpu:.0f} CPU-s"
            )
            print("goal: ≤ 90 s")
            rc = rc or fast_rc
        print(f"\nsingle cycle of {args.example}, alone on a fresh emulator ...", flush=True)
        cycle = single_cycle(args.example, work / "single")
        print(table({args.example: cycle}))
        print(f"single cycle: {cycle['cycle']:.1f} s wall")
        if "suite" in results:
            print(f"ratio suite / single cycle: {results['suite'] / cycle['cycle']:.2f} (goal ≤ 1.5)")
        return rc


if __name__ == "__main__":
    sys.exit(main())
