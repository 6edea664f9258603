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

With ``--base REF`` the suite of an earlier commit runs first, from a temporary worktree, sampled the same
way: its CPU per test id beside today's, measured in one run (the machine's speed moves from day to day
by more than the code does, so only a paired figure says whether the CPU per test id went up).

Usage: python benchmarks/suite.py [--base REF] [--example NAME] [--skip-suite] [--skip-fast] [-- pytest args]
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
from dataclasses import dataclass
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
FLOOR_GOAL, BEFORE_CPU, BEFORE_IDS, BEFORE_REF = 1.2, 846, 603, "6ea1f12"
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


def run_pytest(argv: list[str], env: dict[str, str], root: Path = REPO_ROOT) -> tuple[float, int, float]:
    """(wall, exit code, CPU seconds of every descendant, from getrusage)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.monotonic()
    proc = subprocess.run(argv, cwd=root, env=env, check=False)
    wall = time.monotonic() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, proc.returncode, cpu


def collect_ids(extra: list[str], root: Path = REPO_ROOT, env: dict[str, str] | None = None) -> list[str]:
    out = subprocess.run(
        [*PYTEST, "--collect-only", "-q", *extra],
        cwd=root, env=env, capture_output=True, text=True, check=False,
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


@dataclass
class SuiteRun:
    """One sampled run of a tree's suite."""

    label: str
    ids: int
    wall: float
    rc: int
    reaped_cpu: float
    sampler: CpuSampler
    commands: Counter[str]
    terraform_cpu: dict[str, float]  # sampled CPU-s of the terraform processes, per subcommand


def run_suite(
    label: str, root: Path, ids: int, extra: list[str], work: Path, env: dict[str, str]
) -> SuiteRun:
    """The suite of the tree at ``root``, sampled; the launcher logs every terraform command with its PID."""
    tf_log = work / "terraform.log"
    env = {**env, "ALBLAB_TF_LOG": str(tf_log)}
    # As make test does (both trees alike, so that a pair compares code, not whose bytecode was fresh).
    subprocess.run([sys.executable, "-m", "compileall", "-q", "alblab"], cwd=root, env=env, check=True)
    with CpuSampler() as sampler:
        wall, rc, cpu = run_pytest(pytest_argv(extra, work / "suite.xml"), env, root)
    # A tree older than the command log logs nothing: its Terraform CPU is then not split by subcommand.
    lines = [line.split() for line in tf_log.read_text().splitlines()] if tf_log.exists() else []
    by_pid = sampler.by_pid()
    terraform_cpu: dict[str, float] = defaultdict(float)
    for command, pid in (line for line in lines if len(line) == 2 and line[1].isdigit()):
        kind, seconds = by_pid.get(int(pid), ("", 0.0))
        if kind == "terraform":
            terraform_cpu[command] += seconds
    return SuiteRun(
        label, ids, wall, rc, cpu, sampler, Counter(line[0] for line in lines if line), dict(terraform_cpu)
    )


def report(run: SuiteRun, work: Path) -> None:
    sampler = run.sampler
    print(
        f"\nsuite ({run.label}): {run.wall:.1f} s wall (pytest exit {run.rc}), "
        f"{run.reaped_cpu:.0f} CPU-s in reaped processes"
    )
    if run.commands:
        print("terraform commands: " + ", ".join(f"{k} {n}" for k, n in run.commands.most_common()))
        print(
            "terraform CPU-s per subcommand (sampled; per command): "
            + ", ".join(
                f"{k} {sec:.0f} ({sec / run.commands[k]:.2f})"
                for k, sec in sorted(run.terraform_cpu.items(), key=lambda kv: -kv[1])
            )
        )
    by_kind = sorted(sampler.by_kind().items(), key=lambda kv: -kv[1])
    print("CPU seconds by process (sampled): " + ", ".join(f"{k} {s:.0f}" for k, s in by_kind if s))
    top = list(sampler.python_by_label().items())[:12]
    print(
        "our Python's CPU-s by process (processes): "
        + ", ".join(f"{label} {cpu:.0f} ({n})" for label, (n, cpu) in top)
    )
    sampled, cores = sampler.total(), os.cpu_count() or 1
    floor = sampled / cores
    print(
        f"CPU floor: {sampled:.0f} sampled CPU-s / {cores} cores = {floor:.1f} s; "
        f"suite wall / CPU floor {run.wall / floor:.2f} (goal <= {FLOOR_GOAL})"
    )
    print(f"CPU per test id: {sampled / run.ids:.2f} CPU-s ({sampled:.0f} / {run.ids} ids)")
    print(
        f"cores busy, each {BUSY_BUCKET:.0f} s of the suite: "
        + " ".join(f"{b:.1f}" for b in sampler.busy(BUSY_BUCKET))
    )
    junit, job_times, timings = work / "suite.xml", work / "jobs.json", work / "timings.json"
    if junit.exists():
        print("wall seconds per phase (sum of its tests' setup + call + teardown):")
        for group, sec in phases(junit).items():
            print(f"  {group:<24} {sec:7.1f}")
    if job_times.exists():
        print_jobs(json.loads(job_times.read_text()))
    if timings.exists():
        print("per-example phase times inside the suite (s, all examples at once):")
        print(table(json.loads(timings.read_text())))


def base_suite(ref: str, extra: list[str], work: Path) -> SuiteRun:
    """The suite of commit ``ref`` from a worktree, in today's virtualenv; its own ``alblab`` goes first."""
    tree = work / "tree"
    # The rootless tests run the tree as uid 65534: the temporary directories on its path must be readable.
    for parent in (work, *work.parents):
        if parent == Path(tempfile.gettempdir()):
            break
        parent.chmod(0o755)
    subprocess.run(
        ["git", "-C", str(REPO_ROOT), "worktree", "add", "--quiet", "--detach", str(tree), ref], check=True
    )
    try:
        env = {**os.environ, "PYTHONPATH": str(tree)}
        ids = len(collect_ids(extra, tree, env))
        print(f"\nbase {ref}: {ids} test ids; running its suite ...", flush=True)
        return run_suite(f"base {ref}", tree, ids, extra, work, env)
    finally:
        subprocess.run(["git", "-C", str(REPO_ROOT), "worktree", "remove", "--force", str(tree)], check=False)


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--example", default="complete", help="example for the single cycle (default complete)"
    )
    parser.add_argument("--base", metavar="REF", help="run this commit's suite first, for a paired figure")
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
            base = None
            if args.base:
                (work / "base").mkdir()
                base = base_suite(args.base, args.pytest_args, work / "base")
                report(base, work / "base")
            (work / "now").mkdir()
            env = {
                **os.environ,
                "ALBLAB_TIMINGS": str(work / "now" / "timings.json"),
                JOB_TIMES_ENV: str(work / "now" / "jobs.json"),
            }
            now = run_suite("now", REPO_ROOT, len(ids), args.pytest_args, work / "now", env)
            report(now, work / "now")
            results["suite"], rc = now.wall, now.rc
            per_id = now.sampler.total() / now.ids
            if base is not None:
                base_per_id = base.sampler.total() / base.ids
                print(
                    f"\nCPU per test id, both measured in this run: now {per_id:.2f}, base {args.base} "
                    f"{base_per_id:.2f}; now / base {per_id / base_per_id:.2f} (goal <= 1)"
                )
            else:
                print(
                    f"CPU per test id before the speed work (another day): {BEFORE_CPU / BEFORE_IDS:.2f} "
                    f"({BEFORE_CPU} / {BEFORE_IDS}); --base {BEFORE_REF} measures it beside today's"
                )
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
