"""A data plane driven from its own process, for the tests that need one (holds no tests).

    python tests/plane_script.py crash RUN_DIR STEP      up(persist=True); SIGKILL itself at progress STEP
    python tests/plane_script.py interrupt RUN_DIR STEP  the same, with a Ctrl-C (KeyboardInterrupt) instead
    python tests/plane_script.py tour RUN_DIR            up, use, fail, heal, down; prints one JSON report
    python tests/plane_script.py up RUN_DIR              up(persist=True) and exit, as ``alblab up`` does
    python tests/plane_script.py use RUN_DIR             attach, curl, health; prints one JSON report

``tour`` is what an unprivileged user runs in the rootless test: only the package's public face.
"""

from __future__ import annotations

import itertools
import json
import os
import signal
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from plane_factories import stack

from alblab.dataplane import DataPlane, DataPlaneError, availability, run_mode


def stop_at(step: str, how: str) -> None:
    def progress(message: str) -> None:
        print(message, flush=True)
        if message.startswith(step):
            if how == "crash":
                os.kill(os.getpid(), signal.SIGKILL)
            raise KeyboardInterrupt

    return progress  # type: ignore[return-value]


def tour(run_dir: Path) -> dict[str, object]:
    report: dict[str, object] = {"availability": availability(), "mode": run_mode(), "uid": os.getuid()}
    t0 = time.monotonic()
    plane = DataPlane(stack(), run_dir, connect_timeout_s=1.0).up(persist=True)
    report["up_s"] = round(time.monotonic() - t0, 3)
    report["processes"] = plane.processes
    report["sock_dir"] = str(plane.sock_dir)
    try:
        report["seen"] = [plane.curl("/").field("instance") for _ in range(6)]
        report["peers"] = sorted({str(plane.curl("/").field("peer")) for _ in range(4)})
        report["alb_node_ips"] = plane.alb_node_ips
        report["probe"] = {owner: plane.probe(owner) for owner in sorted(plane.targets)}
        plane.wait_all_healthy(15)
        plane.fail("i-aaa")
        report["failed_after_s"] = round(
            plane.wait_health(lambda h: h["web"]["i-aaa:80"] == "unhealthy", timeout=10), 2
        )
        report["while_failed"] = sorted({plane.curl("/").field("instance") for _ in range(4)})
        plane.heal("i-aaa")
        plane.wait_health(lambda h: h["web"]["i-aaa:80"] == "healthy", timeout=10)
        seen = [plane.curl("/").field("instance") for _ in range(4)]
        report["healed_alternates"] = all(a != b for a, b in itertools.pairwise(seen))
        try:
            plane.curl("/", port=443)
        except DataPlaneError as exc:
            report["bad_port"] = str(exc)
    finally:
        t0 = time.monotonic()
        plane.down()
        report["down_s"] = round(time.monotonic() - t0, 3)
    return report


def use(run_dir: Path) -> dict[str, object]:
    """What a later CLI command does with the plane an earlier one left running."""
    repaired: list[str] = []
    plane = DataPlane.attach(stack(), run_dir, progress=repaired.append)
    plane.wait_all_healthy(15)
    return {
        "seen": [plane.curl("/").field("instance") for _ in range(4)],
        "health": plane.target_health(),
        "repaired": repaired,
        "processes": plane.processes,
    }


def main() -> None:
    command, run_dir = sys.argv[1], Path(sys.argv[2])
    if command in ("tour", "use"):
        print(json.dumps(tour(run_dir) if command == "tour" else use(run_dir)))
        return
    if command == "up":
        DataPlane(stack(), run_dir, connect_timeout_s=1.0).up(persist=True)
        return
    progress = stop_at(sys.argv[3], command)
    DataPlane(stack(), run_dir, connect_timeout_s=1.0, progress=progress).up(persist=True)


if __name__ == "__main__":
    main()
