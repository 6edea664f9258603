"""Benchmark (not a test): one ``alblab check`` of a configuration, measured against its idle floor.

Each configuration is checked as a user checks it (``python -m alblab.cli check DIR --json``, with traffic),
in a subprocess with its own temporary directory, with ``ALBLAB_TRACE`` set (``alblab.trace``: Terraform's
apply and destroy events, the state before the destroy, the aws provider's debug log, the emulator's time per
request) and every process it starts sampled for CPU (``procstat``). Then:

- **the idle floor**: the provider's waits on the critical path of the apply and of the destroy (``floor``
  says how they are read from the traces);
- the check's wall time by phase (from the time each progress line arrived), the report's seconds per check;
- CPU seconds by process kind (Terraform, aws provider, emulator, data plane, our Python);
- the emulator: requests, their latency as the server measured it (every layer) and moto's share;
  the provider's view of the same calls (its log's ``http.duration``);
- Terraform commands by kind.

Goals: a plain configuration's check within 1.3 x its idle floor, examples/complete within 1.5 x.

Usage: python benchmarks/check.py [--only plain|complete] [--keep DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))
from floor import dependencies, longest_path, percentile, provider_calls, waits
from procstat import KINDS, CpuSampler

from alblab import tfevents
from alblab.sources import EXAMPLES_DIR, REPO_ROOT
from alblab.trace import TRACE_ENV

# name -> (directory, extra arguments, goal: check wall / idle floor)
CONFIGS: dict[str, tuple[Path, list[str], float]] = {
    "plain": (REPO_ROOT / "tests" / "fixtures" / "plain-alb", ["--var", "image=ami-1e749f67"], 1.3),
    "complete": (EXAMPLES_DIR / "complete", [], 1.5),
}
# Progress lines of `alblab check` that open each phase (their arrival times split the wall time).
MARKS = {
    "init": re.compile(r"alblab: terraform init$"),
    "apply": re.compile(r"alblab: terraform apply$"),
    "applied": re.compile(r"alblab: (PASS|FAIL) apply$"),
    "destroyed": re.compile(r"alblab: (PASS|FAIL) destroy$"),
}


def run_check(directory: Path, extra: list[str], work: Path) -> dict[str, Any]:
    """One `alblab check` as a user runs it; the arrival time of each progress line marks the phases."""
    trace, report = work / "trace", work / "report.json"
    trace.mkdir(parents=True)
    env = {
        **os.environ,
        TRACE_ENV: str(trace),
        "ALBLAB_TF_LOG": str(work / "terraform-commands.log"),
        "TMPDIR": str(work),
    }
    argv = [sys.executable, "-m", "alblab.cli", "check", str(directory), *extra, "--json", str(report)]
    marks: dict[str, float] = {}
    lines: list[str] = []
    load = os.getloadavg()[0]
    with CpuSampler() as cpu:
        start = time.monotonic()
        proc = subprocess.Popen(argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        assert proc.stdout is not None
        for line in proc.stdout:
            lines.append(line.rstrip("\n"))
            for mark, pattern in MARKS.items():
                if mark not in marks and pattern.search(lines[-1]):
                    marks[mark] = time.monotonic() - start
        rc = proc.wait()
        wall = time.monotonic() - start
    if rc != 0:
        print("\n".join(lines[-40:]))
    return {
        "rc": rc,
        "wall": wall,
        "marks": marks,
        "load_before": load,
        "load_after": os.getloadavg()[0],
        "cpu": cpu.by_kind(),
        "cpu_total": cpu.total(),
        "report": json.loads(report.read_text()) if report.exists() else {},
        "trace": trace,
        "commands": Counter(
            line.split()[0] for line in (work / "terraform-commands.log").read_text().splitlines() if line
        )
        if (work / "terraform-commands.log").exists()
        else Counter(),
    }


def analyse(run: dict[str, Any]) -> dict[str, Any]:
    trace: Path = run["trace"]
    calls = provider_calls(
        line
        for log in sorted(trace.glob("provider.*.log"))
        for line in log.read_text(errors="replace").splitlines()
    )
    states = sorted(trace.glob("*.state.*.json"))
    deps = dependencies(json.loads(states[-1].read_text())) if states else {}
    floors: dict[str, tuple[float, list[str], dict[str, float]]] = {}
    for command, reverse in (("apply", False), ("destroy", True)):
        files = sorted(trace.glob(f"*.{command}.*.jsonl"))
        events = [json.loads(line) for f in files for line in f.read_text().splitlines() if line]
        idle = waits(tfevents.operations(events), calls)
        total, path = longest_path(deps, idle, reverse)
        floors[command] = (total, path, idle)
    requests = [
        json.loads(line)
        for f in trace.glob("emulator-*.jsonl")
        for line in f.read_text().splitlines()
        if line
    ]
    seconds = [r["s"] for r in requests]
    per_op: dict[str, list[float]] = defaultdict(list)
    for r in requests:
        per_op[f"{r['service']} {r['op']}"].append(r["s"])
    checks = {c["name"]: c["seconds"] for c in run["report"].get("checks", [])}
    marks, wall = run["marks"], run["wall"]
    destroy_s = checks.get("destroy", 0.0)
    phases = {
        "start (emulator, provider, work copy)": marks.get("init", 0.0),
        "terraform init": marks.get("apply", 0.0) - marks.get("init", 0.0),
        "terraform apply": marks.get("applied", 0.0) - marks.get("apply", 0.0),
        "second plan beside verdicts + data plane + traffic": marks.get("destroyed", wall)
        - destroy_s
        - marks.get("applied", 0.0),
        "destroy + leak check": destroy_s,
        "down (stop emulator and provider)": wall - marks.get("destroyed", wall),
    }
    return {
        "floor_apply": floors["apply"][0],
        "floor_destroy": floors["destroy"][0],
        "path_apply": [(a, round(floors["apply"][2].get(a, 0.0), 1)) for a in floors["apply"][1]],
        "path_destroy": [(a, round(floors["destroy"][2].get(a, 0.0), 1)) for a in floors["destroy"][1]],
        "phases": phases,
        "checks": checks,
        "emulator": {
            "requests": len(requests),
            "seconds": sum(seconds),
            "moto_seconds": sum(r["moto_s"] for r in requests),
            "p50_ms": 1000 * percentile(seconds, 0.5),
            "p99_ms": 1000 * percentile(seconds, 0.99),
            "max_ms": 1000 * max(seconds, default=0.0),
            "slowest": sorted(
                ((op, 1000 * max(v), 1000 * statistics.median(v), len(v)) for op, v in per_op.items()),
                key=lambda t: -t[1],
            )[:5],
        },
        "provider_http": {
            "calls": len(calls),
            "seconds": sum(c.seconds for c in calls),
            "p50_ms": 1000 * percentile([c.seconds for c in calls], 0.5),
            "p99_ms": 1000 * percentile([c.seconds for c in calls], 0.99),
        },
    }


def show(name: str, goal: float, run: dict[str, Any], got: dict[str, Any]) -> list[str]:
    floor = got["floor_apply"] + got["floor_destroy"]
    ratio = run["wall"] / floor if floor else float("nan")
    print(
        f"\n== {name}: alblab check, exit {run['rc']}, "
        f"load {run['load_before']:.1f} -> {run['load_after']:.1f}"
    )
    print(f"wall {run['wall']:.1f} s; idle floor {floor:.1f} s (apply {got['floor_apply']:.1f} + destroy "
          f"{got['floor_destroy']:.1f}); ratio {ratio:.2f} (goal <= {goal})")  # fmt: skip
    print("apply's critical path (wait s): " + " -> ".join(f"{a} {w}" for a, w in got["path_apply"] if w))
    print("destroy's critical path (wait s): " + " -> ".join(f"{a} {w}" for a, w in got["path_destroy"] if w))
    print("wall by phase:")
    for phase, sec in got["phases"].items():
        print(f"  {phase:<52} {sec:6.1f}")
    print(
        "seconds per check (report): "
        + ", ".join(f"{n} {s:.1f}" for n, s in got["checks"].items() if s >= 0.05)
    )
    print("CPU seconds by process: " + ", ".join(f"{k} {run['cpu'][k]:.1f}" for k in KINDS)
          + f" (total {run['cpu_total']:.1f})")  # fmt: skip
    e, h = got["emulator"], got["provider_http"]
    print(
        f"emulator: {e['requests']} requests, {e['seconds']:.2f} s in the server "
        f"({e['moto_seconds']:.2f} s in moto), p50 {e['p50_ms']:.1f} ms, p99 {e['p99_ms']:.1f} ms, "
        f"max {e['max_ms']:.0f} ms"
    )
    print("  slowest operations (max ms, median ms, count): "
          + "; ".join(f"{op} {mx:.0f}/{md:.1f}/{n}" for op, mx, md, n in e["slowest"]))  # fmt: skip
    print(f"aws provider's view: {h['calls']} calls, {h['seconds']:.2f} s, p50 {h['p50_ms']:.0f} ms, "
          f"p99 {h['p99_ms']:.0f} ms")  # fmt: skip
    print("terraform commands: " + ", ".join(f"{k} {n}" for k, n in run["commands"].most_common()))
    cpu = run["cpu"]
    return [
        name,
        f"{run['wall']:.1f}",
        f"{floor:.1f} ({got['floor_apply']:.1f} + {got['floor_destroy']:.1f})",
        f"{ratio:.2f} (≤ {goal})",
        f"{cpu['terraform']:.1f} + {cpu['aws provider']:.1f}",
        f"{cpu['emulator']:.1f}",
        f"{cpu['data plane']:.1f}",
        f"{cpu['python (alblab, pytest)']:.1f}",
        f"{e['p50_ms']:.1f} / {e['p99_ms']:.1f}",
        f"{run['load_before']:.1f}",
    ]


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--only", choices=sorted(CONFIGS), action="append")
    parser.add_argument("--keep", type=Path, help="keep the traces and reports in this directory")
    args = parser.parse_args()
    rows = [
        [
            "check", "wall s", "idle floor s (apply + destroy)", "wall / floor", "CPU-s Terraform + provider",
            "CPU-s emulator", "CPU-s data plane", "CPU-s our Python", "emulator p50 / p99 ms", "load",
        ]
    ]  # fmt: skip
    failed = 0
    with tempfile.TemporaryDirectory(prefix="alblab-bench-check-") as tmp:
        root = args.keep or Path(tmp)
        for name in args.only or list(CONFIGS):
            directory, extra, goal = CONFIGS[name]
            work = root / f"{name}-{time.strftime('%H%M%S')}"
            run = run_check(directory, extra, work)
            failed += run["rc"] != 0
            rows.append(show(name, goal, run, analyse(run)))
    print("\n| " + " | ".join(rows[0]) + " |\n|" + "---|" * len(rows[0]))
    for row in rows[1:]:
        print("| " + " | ".join(row) + " |")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
