"""``make demo``: emulator → apply examples/basic → what boto3 reads → live requests → destroy.

Also ``python -m alblab.demo plan EXAMPLE`` for ``make plan``: a plan of one example against the emulator.
Both run in a private state directory and leave nothing behind, failure or Ctrl-C included.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from collections import Counter
from pathlib import Path

from alblab import present, verify
from alblab.errors import AlblabError
from alblab.session import Session, StackHandle, new_prefix
from alblab.sources import list_examples
from alblab.verdicts.reach import InternetSource, can_reach

CURLS = 6


def show_stack(handle: StackHandle) -> None:
    stack = handle.read()
    lb = stack.load_balancer
    print(f"\nALB {lb.name}  DNS {lb.dns_name}  ({'internal' if lb.internal else 'internet-facing'})")
    print(present.rules_table(stack))
    print("\n  targets (as DescribeTargetHealth reports them)")
    print(present.targets_table(stack))
    print("\n  security-group chain (verdicts from the SG rules the API reports)")
    for result in verify.verdicts(stack)[:2]:
        print(f"    {result.status.upper():<5} {result.name}: {result.detail}")
    for iid in sorted(stack.instances):
        for port in sorted(verify.target_ports(stack, iid)):
            outside = can_reach(stack, InternetSource(verify.OUTSIDER), iid, port)
            print(f"    {present.target_label(stack, iid)}:{port} from the internet: {outside.reason}")


def live_requests(handle: StackHandle) -> None:
    stack = handle.read()
    plane = handle.plane(stack, progress=lambda m: print(f"  {m}"))
    plane.wait_all_healthy()
    print(f"\n  {CURLS} requests from a client namespace to http://{stack.load_balancer.dns_name}/")
    seen: Counter[str] = Counter()
    for i in range(CURLS):
        reply = plane.curl("/")
        who = reply.field("instance") or "?"
        label = present.target_label(stack, who)
        seen[label] += 1
        print(f"    {i + 1}. {reply.status_line}  answered by {label}")
    print(f"  spread: {dict(seen)}")
    for iid in sorted(stack.instances):
        print(f"  direct to {present.target_label(stack, iid)}:80 from the client: {plane.probe(iid, 80)}")


def run_demo(example: str = "basic") -> int:
    from alblab.dataplane import availability

    home = Path(tempfile.mkdtemp(prefix="alblab-demo-"))
    session = Session(home, progress=lambda m: print(f"  {m}", flush=True))
    try:
        print("starting the AWS emulator (moto) ...", flush=True)
        print(f"  {session.ensure_emulator()}")
        handle = session.add_stack("demo", example, prefix=new_prefix("d"))
        print(f"terraform init + plan + apply of examples/{example} as {handle.name!r} (the ALB takes 60 s)")
        handle.apply()
        print("  phases: " + ", ".join(f"{k} {v} s" for k, v in handle.times.items()))
        show_stack(handle)
        why_not = availability()
        if why_not:
            print(f"\n(live data plane skipped: {why_not})")
        else:
            live_requests(handle)
        return 0
    except AlblabError as exc:
        print(f"demo failed: {exc}", file=sys.stderr)
        return 1
    finally:
        print("\ntearing down (terraform destroy, data plane, emulator) ...", flush=True)
        session.interrupt(timeout=60)
        report = session.down()
        for line in report.problems:
            print(f"  NOT DONE: {line}", file=sys.stderr)
        print("  nothing is left." if report.clean else "  run the demo's clean-up again: make clean")
        shutil.rmtree(home, ignore_errors=True)


def run_plan(example: str) -> int:
    home = Path(tempfile.mkdtemp(prefix="alblab-plan-"))
    session = Session(home)
    try:
        session.ensure_emulator()
        handle = session.add_stack("plan", example, prefix=new_prefix("p"))
        ws = handle.prepare()
        ws.runner.init()
        planfile = ws.dir / "plan.tfplan"
        ws.runner.plan(out=planfile)
        plan = ws.runner.show_json(planfile)
        print("\n".join(present.plan_lines(plan)))
        by_type = Counter(c["type"] for c in plan.get("resource_changes", []) if c.get("mode") == "managed")
        print("  " + ", ".join(f"{n} {t}" for t, n in sorted(by_type.items())))
        return 0
    except AlblabError as exc:
        print(f"plan failed: {exc}", file=sys.stderr)
        return 1
    finally:
        session.down()
        shutil.rmtree(home, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m alblab.demo", description=__doc__)
    sub = parser.add_subparsers(dest="command")
    sub.add_parser("demo", help="apply examples/basic, show it, send requests, destroy (default)")
    plan = sub.add_parser("plan", help="plan one example against the emulator")
    plan.add_argument("example", choices=list_examples())
    args = parser.parse_args(argv)
    try:
        if args.command == "plan":
            return run_plan(args.example)
        return run_demo()
    except KeyboardInterrupt:
        print("\ninterrupted; everything the demo started was removed.", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
