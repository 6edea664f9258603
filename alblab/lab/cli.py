"""``alblab lab …`` and ``alblab diagram``: argparse wiring for the lab; the work happens in the daemon.

The main CLI (``alblab``) calls ``register(subparsers)`` and reports a ``LabError`` like any other error.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path
from typing import Any

from alblab.console.launch import add_options as console_options
from alblab.lab import client
from alblab.lab.client import LAB_DIR_ENV
from alblab.lab.engine import NOT_RUNNING, STACK_KEY, stop_lab, stop_lines
from alblab.lab.errors import LabError


def _lab_dir(args: argparse.Namespace) -> Path:
    lab_dir = Path(args.lab_dir or os.environ.get(LAB_DIR_ENV) or client.DEFAULT_LAB_DIR).resolve()
    client.check_owner(lab_dir)
    return lab_dir


def _call(args: argparse.Namespace, op: str, payload: dict[str, Any] | None = None) -> int:
    try:
        return client.call(_lab_dir(args), op, payload)
    except client.DaemonNotRunning:
        print(NOT_RUNNING)
        return 1


def _start(args: argparse.Namespace) -> int:
    lab_dir = _lab_dir(args)
    try:
        return client.call(lab_dir, "start")
    except client.DaemonNotRunning:
        pass
    # Before anything exists: a lab that would stop at step 3 for want of a data plane is no lab.
    from alblab.dataplane import availability

    problem = availability()
    if problem:
        raise LabError(f"The lab cannot run here: {problem}")
    print("Starting the lab: emulator, Terraform, steps 0 and 1 (about a minute).")
    client.spawn_daemon(lab_dir, args.name)
    rc = client.call(lab_dir, "start")
    if rc not in (0, 130):
        # Leave nothing half-started behind: the participant retries with a clean `lab start`.
        _stop(args)
    return rc


def _stop(args: argparse.Namespace) -> int:
    lab_dir = _lab_dir(args)
    pid = client.daemon_pid(lab_dir)
    try:
        rc = client.call(lab_dir, "stop")
    except client.DaemonNotRunning:
        # No daemon (never started, or killed): clean what the session recorded, from here.
        report = stop_lab(lab_dir)
        if report.done or not report.clean:
            for line in stop_lines(report):
                print(line)
        else:
            print("The lab is not running.")
        return 0 if report.clean else 1
    if not client.wait_gone(lab_dir, pid):
        print(f"The lab's background process (pid {pid}) did not exit; see {lab_dir / 'daemon.log'}")
        return 1
    return rc


def _console(args: argparse.Namespace) -> int:
    from alblab.console.launch import open_console
    from alblab.session import Session

    lab_dir = _lab_dir(args)
    if client.daemon_pid(lab_dir) is None or STACK_KEY not in Session(lab_dir).record.stacks:
        print(NOT_RUNNING)
        return 1
    return open_console(lab_dir, STACK_KEY, args.bind, args.port, lab_dir=lab_dir)


def _exit_with(args: argparse.Namespace) -> None:
    """For a main CLI that dispatches ``args.fn(args)`` and ignores results: keep the exit code."""
    rc = int(args.func(args))
    if rc:
        raise SystemExit(rc)


def _add_lab_dir(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--lab-dir", help=f"lab state directory (default ${LAB_DIR_ENV}, else .work/lab in the repository)"
    )


def register(subparsers: Any) -> None:
    """Add the ``lab`` and ``diagram`` subcommands to an argparse subparsers object."""
    lab = subparsers.add_parser("lab", help="the workshop lab: steps 1-9 on this machine, no AWS account")
    _add_lab_dir(lab)
    lab.set_defaults(fn=_exit_with)
    ops = lab.add_subparsers(dest="lab_op", required=True)

    start = ops.add_parser("start", help="start the lab at step 1 (emulator, workdir, data plane)")
    start.add_argument("--name", default="lab", help="prefix of every resource name")
    start.set_defaults(func=_start)
    ops.add_parser("stop", help="stop everything the lab started").set_defaults(func=_stop)
    ops.add_parser("reset", help="start over from step 1").set_defaults(func=lambda a: _call(a, "reset"))

    nxt = ops.add_parser("next", help="copy the next step's .tf files into your Terraform folder and apply")
    nxt.add_argument(
        "--no-apply", action="store_true", help="only copy the files; then run `alblab lab apply`"
    )
    nxt.set_defaults(func=lambda a: _call(a, "next", {"apply": not a.no_apply}))
    ops.add_parser(
        "apply", help="terraform plan + apply your Terraform folder, then converge the data plane"
    ).set_defaults(func=lambda a: _call(a, "apply"))
    ops.add_parser("check", help="is the lab where the current step expects it?").set_defaults(
        func=lambda a: _call(a, "check")
    )
    ops.add_parser("show", help="security groups, instances, target groups, listener rules").set_defaults(
        func=lambda a: _call(a, "show")
    )
    ops.add_parser("status", help="current step and Terraform folder (JSON)").set_defaults(
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

    console = ops.add_parser("console", help="the lab live in a browser: map, health, every request")
    console_options(console)
    console.set_defaults(func=_console)

    _add_diagram(ops.add_parser("diagram", help="draw the live topology to SVG and PNG"))
    top = subparsers.add_parser("diagram", help="draw the lab's live topology to SVG and PNG (graphviz)")
    _add_lab_dir(top)
    _add_diagram(top)
    top.set_defaults(fn=_exit_with)


def _add_diagram(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--out", help="path prefix for .dot/.svg/.png, English and .ko (default: lab dir)")
    parser.set_defaults(
        func=lambda a: _call(a, "diagram", {"out": str(Path(a.out).resolve()) if a.out else None})
    )
