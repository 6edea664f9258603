"""``alblab lab …`` and ``alblab diagram``: argparse wiring for the lab; the work happens in the daemon.

The main CLI calls ``register(subparsers)``; ``main(argv)`` runs the same parser standalone
(``python -m alblab.lab.cli lab next``), which is also what the lab test uses.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Any

from alblab.lab import client

LAB_DIR_ENV = "ALBLAB_LAB_DIR"


def _lab_dir(args: argparse.Namespace) -> Path:
    return Path(args.lab_dir or os.environ.get(LAB_DIR_ENV) or client.DEFAULT_LAB_DIR)


def _call(args: argparse.Namespace, op: str, payload: dict[str, Any] | None = None) -> int:
    try:
        return client.call(_lab_dir(args), op, payload)
    except client.DaemonNotRunning:
        print("The lab is not running: start it with `alblab lab start` (or `make lab`).")
        return 1


def _start(args: argparse.Namespace) -> int:
    lab_dir = _lab_dir(args)
    try:
        return client.call(lab_dir, "start")
    except client.DaemonNotRunning:
        pass
    print("Starting the lab: emulator, Terraform workdir, steps 0 and 1 (about a minute).")
    client.spawn_daemon(lab_dir, args.name)
    rc = client.call(lab_dir, "start")
    if rc != 0:
        # Leave nothing half-started behind: the participant retries with a clean `lab start`.
        _stop(args)
    return rc


def _stop(args: argparse.Namespace) -> int:
    lab_dir = _lab_dir(args)
    pid = client.daemon_pid(lab_dir)
    try:
        rc = client.call(lab_dir, "stop")
    except client.DaemonNotRunning:
        print("The lab is not running.")
        return 0
    if not client.wait_gone(lab_dir, pid):
        print(f"The lab daemon (pid {pid}) did not exit; see {lab_dir / 'daemon.log'}")
        return 1
    return rc


def _exit_with(args: argparse.Namespace) -> None:
    """For a main CLI that dispatches ``args.fn(args)`` and ignores results: keep the exit code."""
    rc = int(args.func(args))
    if rc:
        raise SystemExit(rc)


def _add_lab_dir(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--lab-dir", help=f"lab state directory (default ${LAB_DIR_ENV} or .work/lab)")


def register(subparsers: Any) -> None:
    """Add the ``lab`` and ``diagram`` subcommands to an argparse subparsers object."""
    lab = subparsers.add_parser("lab", help="the workshop lab: steps 1-8 on this machine, no AWS account")
    _add_lab_dir(lab)
    lab.set_defaults(fn=_exit_with)
    ops = lab.add_subparsers(dest="lab_op", required=True)

    start = ops.add_parser("start", help="start the lab at step 1 (emulator, workdir, data plane)")
    start.add_argument("--name", default="lab", help="prefix of every resource name")
    start.set_defaults(func=_start)
    ops.add_parser("stop", help="stop everything the lab started").set_defaults(func=_stop)
    ops.add_parser("reset", help="start over from step 1").set_defaults(func=lambda a: _call(a, "reset"))

    nxt = ops.add_parser("next", help="copy the next step's .tf files into the workdir and apply them")
    nxt.add_argument(
        "--no-apply", action="store_true", help="only copy the files; then run `alblab lab apply`"
    )
    nxt.set_defaults(func=lambda a: _call(a, "next", {"apply": not a.no_apply}))
    ops.add_parser(
        "apply", help="terraform plan + apply the workdir, then converge the data plane"
    ).set_defaults(func=lambda a: _call(a, "apply"))
    ops.add_parser("check", help="is the lab where the current step expects it?").set_defaults(
        func=lambda a: _call(a, "check")
    )
    ops.add_parser("show", help="security groups, instances, target groups, listener rules").set_defaults(
        func=lambda a: _call(a, "show")
    )
    ops.add_parser("status", help="current step and workdir (JSON)").set_defaults(
        func=lambda a: _call(a, "status")
    )

    curl = ops.add_parser("curl", help="send HTTP requests to the ALB's DNS name from the client")
    curl.add_argument("path", nargs="?", default="/")
    curl.add_argument("--count", type=int, default=1, choices=range(1, 101), metavar="N")
    curl.add_argument(
        "--view", action="store_true", help="show what the instance saw (peer, X-Forwarded-For)"
    )
    curl.set_defaults(func=lambda a: _call(a, "curl", {"path": a.path, "count": a.count, "view": a.view}))

    ops.add_parser("reach", help="try each instance directly from the client, and say why").set_defaults(
        func=lambda a: _call(a, "reach")
    )
    ops.add_parser("health", help="target health as the ALB's health checks see it").set_defaults(
        func=lambda a: _call(a, "health")
    )
    for verb, text in (("fail", "stop an instance's web server"), ("heal", "start it again")):
        sub = ops.add_parser(verb, help=text)
        sub.add_argument("target", help="web-a or web-b")
        sub.set_defaults(func=lambda a, verb=verb: _call(a, verb, {"target": a.target}))

    _add_diagram(ops.add_parser("diagram", help="draw the live topology to SVG and PNG"))
    top = subparsers.add_parser("diagram", help="draw the lab's live topology to SVG and PNG (graphviz)")
    _add_lab_dir(top)
    _add_diagram(top)
    top.set_defaults(fn=_exit_with)


def _add_diagram(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--out", help="path prefix for .dot/.svg/.png (default: the lab dir)")
    parser.set_defaults(
        func=lambda a: _call(a, "diagram", {"out": str(Path(a.out).resolve()) if a.out else None})
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="alblab")
    register(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    return int(args.func(args))


if __name__ == "__main__":
    sys.exit(main())
