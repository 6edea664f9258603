"""Benchmark (not a test): what the strict emulator layer costs on one example's full cycle.

The cycle of ``benchmarks/suite.py`` (init → plan → apply → second plan → destroy, alone on a fresh emulator),
run in pairs: once with the strict layer (the default) and once with ``ALBLAB_EMULATOR=lenient`` (plain moto),
the order alternating from pair to pair so that a drift of the shared machine falls on both. Prints each
cycle's wall time and the emulator's CPU seconds, and the medians of the pairwise ratios.

Usage: python benchmarks/strict.py [--example NAME] [--pairs N]
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from suite import single_cycle  # the one cycle measurement, from its own script

from alblab.session import Session
from alblab.strict.mode import ENV_VAR

_SUMMARY = re.compile(r"strict layer: (\d+) parse/check steps took ([0-9.]+) s")


def strict_layer_time(session: Session, times: dict[str, float]) -> None:
    """The strict layer's own time, as the emulator writes it to its log when it stops."""
    session.stop_emulator()
    for log in (session.home / "emulator").glob("moto-*.log"):
        found = _SUMMARY.search(log.read_text())
        if found:
            times["checked"], times["check_s"] = int(found.group(1)), float(found.group(2))


def cycle(example: str, mode: str, work: Path) -> dict[str, float]:
    os.environ[ENV_VAR] = mode
    try:
        return single_cycle(example, work, before_down=strict_layer_time)
    finally:
        os.environ.pop(ENV_VAR, None)


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--example", default="basic")
    parser.add_argument("--pairs", type=int, default=3)
    args = parser.parse_args()
    ratios: dict[str, list[float]] = {"cycle": [], "apply": [], "emulator_cpu": []}
    with tempfile.TemporaryDirectory(prefix="alblab-bench-strict-") as tmp:
        for pair in range(args.pairs):
            order = ("strict", "lenient") if pair % 2 == 0 else ("lenient", "strict")
            got = {mode: cycle(args.example, mode, Path(tmp) / f"{pair}-{mode}") for mode in order}
            for mode in order:
                t = got[mode]
                print(
                    f"pair {pair + 1} {mode:<8} cycle {t['cycle']:6.1f} s  apply {t['apply']:6.1f} s  "
                    f"emulator CPU {t['emulator_cpu']:5.2f} s"
                    + (
                        f"  strict layer {t['check_s']:.3f} s in {t['checked']} parse/check steps"
                        if "check_s" in t
                        else ""
                    ),
                    flush=True,
                )
            for key in ratios:
                if got["lenient"][key]:
                    ratios[key].append(got["strict"][key] / got["lenient"][key])
    for key, values in ratios.items():
        if values:
            low, mid, high = min(values), statistics.median(values), max(values)
            print(
                f"strict / lenient, {key}: median {mid:.3f} "
                f"(min {low:.3f}, max {high:.3f}, {len(values)} pairs)"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
