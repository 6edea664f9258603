"""Benchmark (not a test): the pytest plugin on a consumer project with 4 stacks, under pytest-xdist.

The project: the consumer fixture project (``tests/fixtures/consumer``) with its test module four times, so
4 module-scoped stacks of one configuration (the same fixed names four times, each stack in an emulated
account of its own), each with its 4 tests (second plan + verdicts, routes, traffic, a failed instance). The
module's change test (a stack of its own and a second apply) is deselected: this measures how stacks spread
over workers, and a change per module would double the stacks.
Each variant runs the whole project in a fresh temporary directory, one after the other, and is timed from
start to exit; the launcher's command log counts the Terraform applies.

Variants: ``-n 1`` and ``-n 2`` (xdist's default distribution, ``load``), ``-n 2 --dist loadgroup`` (the
tests of a stack kept on one worker), and no xdist (the plugin alone, all stacks applied side by side in one
process).

Usage: python benchmarks/xdist.py [--variants no-xdist,n1,n2,n2-loadgroup] [--json FILE]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from alblab.sources import REPO_ROOT

INFRA = REPO_ROOT / "tests" / "fixtures" / "consumer" / "infra"
STACKS = 4
VARIANTS = {
    "no-xdist": [],
    "n1": ["-n", "1"],
    "n2": ["-n", "2"],
    "n2-loadgroup": ["-n", "2", "--dist", "loadgroup"],
}
CONSUMER_TEST = REPO_ROOT / "tests" / "fixtures" / "consumer" / "tests" / "test_store.py"
SELECT = ["-k", "not test_moving_the_shop"]  # the shared stack's tests only (see above)


def project(root: Path) -> Path:
    """The consumer project with its test module four times: four module-scoped stacks of one configuration
    (its names fixed: each stack in an emulated account of its own)."""
    (root / "tests").mkdir(parents=True)
    (root / "infra").symlink_to(INFRA)  # where the consumer's tests find it: "../infra"
    (root / "pytest.ini").write_text("[pytest]\ntestpaths = tests\n")
    for n in range(1, STACKS + 1):
        (root / "tests" / f"test_store{n}.py").write_text(CONSUMER_TEST.read_text())
    return root


def run(variant: str) -> dict[str, object]:
    with tempfile.TemporaryDirectory(prefix=f"bench-xdist-{variant}-") as tmp:
        root = project(Path(tmp) / "project")
        log = Path(tmp) / "tf.log"
        env = {k: v for k, v in os.environ.items() if k not in ("ALBLAB_HOME", "PYTEST_ADDOPTS")}
        env.update({"TMPDIR": tmp, "ALBLAB_TF_LOG": str(log)})
        argv = [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q", *SELECT, *VARIANTS[variant]]
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        t0 = time.monotonic()
        proc = subprocess.run(
            argv, cwd=root, env=env, capture_output=True, text=True, timeout=3600, check=False
        )
        wall = time.monotonic() - t0
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        commands = log.read_text().splitlines() if log.exists() else []
        summary = [line for line in proc.stdout.splitlines() if re.search(r"\d+ (passed|failed|error)", line)]
        return {
            "variant": variant,
            "argv": " ".join(["pytest", *VARIANTS[variant]]),
            "rc": proc.returncode,
            "wall_s": round(wall, 1),
            # The processes this run reaped (pytest, workers, Terraform; not detached emulators/providers).
            "reaped_cpu_s": round(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime, 1),
            "applies": sum(c.startswith("apply ") for c in commands),
            "result": summary[-1].strip("= ") if summary else proc.stdout[-500:] + proc.stderr[-500:],
        }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--variants", default="no-xdist,n1,n2,n2-loadgroup")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    results = []
    for variant in args.variants.split(","):
        load = os.getloadavg()[0]
        print(f"{variant}: running (load average {load:.1f}) ...", flush=True)
        result = run(variant)
        result["load_before"] = load
        print(json.dumps(result), flush=True)
        results.append(result)
    print()
    print(f"{'variant':<34} {'wall s':>8} {'applies':>8} {'reaped CPU s':>13}  result")
    for r in results:
        print(f"{r['argv']:<34} {r['wall_s']:>8} {r['applies']:>8} {r['reaped_cpu_s']:>13}  {r['result']}")
    if args.json:
        args.json.write_text(json.dumps(results, indent=1) + "\n")


if __name__ == "__main__":
    main()
