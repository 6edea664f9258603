"""``make demo``: emulator → apply examples/basic → what boto3 reads → live requests (root) → destroy.

Also ``python -m alblab.demo plan EXAMPLE`` for ``make plan``: a plan of one example against the emulator.
Everything is torn down on the way out, failure or not.
"""

from __future__ import annotations

import argparse
import ipaddress
import os
import shutil
import sys
import tempfile
from collections import Counter
from pathlib import Path
from typing import Any

from alblab import examples as ex
from alblab.emulator import Emulator
from alblab.model import Action, Listener, Stack
from alblab.sources import REPO_ROOT
from alblab.state import aws_clients

CURLS = 6


def _work_root() -> Path:
    base = REPO_ROOT / ".work"
    base.mkdir(exist_ok=True)
    return Path(tempfile.mkdtemp(prefix="demo-", dir=base))


def describe_action(stack: Stack, action: Action) -> str:
    if action.type == "forward":
        groups = [(stack.target_groups[g.target_group_arn].name, g.weight) for g in action.target_groups]
        if len(groups) == 1:
            return f"forward → {groups[0][0]}"
        return "forward → " + ", ".join(f"{name} ({weight})" for name, weight in groups)
    if action.type == "redirect" and action.redirect:
        r = action.redirect
        return f"redirect {r.status_code} → {r.protocol}://{r.host}:{r.port}{r.path}"
    if action.fixed_response:
        return f"fixed-response {action.fixed_response.status_code}"
    return action.type


def listener_table(stack: Stack, listener: Listener) -> list[str]:
    lines = [f"  listener {listener.protocol}:{listener.port}"]
    for rule in listener.rules:
        conditions = "; ".join(
            f"{c.field}{'(' + c.header_name + ')' if c.header_name else ''}="
            + ",".join(c.values or [f"{k or ''}={v}" for k, v in c.query_pairs])
            for c in rule.conditions
        )
        lines.append(f"    {rule.priority:>5}  {conditions:<50} {describe_action(stack, rule.action)}")
    lines.append(f"    {'default':>5}  {'':<50} {describe_action(stack, listener.default_action)}")
    return lines


def show_stack(stack: Stack) -> None:
    lb = stack.load_balancer
    print(f"\nALB {lb.name}  DNS {lb.dns_name}  ({'internal' if lb.internal else 'internet-facing'})")
    for listener in lb.listeners:
        print("\n".join(listener_table(stack, listener)))
    print("\n  targets (as DescribeTargetHealth reports them)")
    for tg in stack.target_groups.values():
        for target in tg.targets:
            name = stack.instances[target.id].name if target.id in stack.instances else target.id
            print(f"    {tg.name:<24} {name:<24} {target.id}:{target.port}  {target.health}")
    show_reach(stack)


def show_reach(stack: Stack) -> None:
    # Imported here: the verdicts are another part of alblab and the demo should still show the stack
    # if they fail to import.
    from alblab.verdicts.reach import GroupSource, InternetSource, can_reach

    subnet = stack.subnets[stack.load_balancer.subnet_ids[0]]
    node_ip = str(ipaddress.ip_network(subnet.cidr_ipv4)[10])
    print("\n  security-group chain (verdicts from the SG rules the API reports)")
    for instance in stack.instances.values():
        for port in sorted(
            {
                tg.port_of(t) or 80
                for tg in stack.target_groups.values()
                for t in tg.targets
                if t.id == instance.id
            }
        ):
            outside = can_reach(stack, InternetSource("203.0.113.10"), instance.id, port)
            via_alb = any(
                can_reach(stack, GroupSource(sg, node_ip), instance.id, port, alb_node_ips=(node_ip,)).allowed
                for sg in stack.load_balancer.security_group_ids
            )
            print(
                f"    {instance.name or instance.id}:{port}  from the internet: "
                f"{'OPEN' if outside.allowed else 'blocked'}  "
                f"from the ALB: {'allowed' if via_alb else 'BLOCKED'}"
            )


def dataplane_available() -> str | None:
    """None when the live data plane can run here, else why not."""
    if os.geteuid() != 0:
        return "not root (network namespaces need root)"
    missing = [tool for tool in ("haproxy", "nft", "ip") if shutil.which(tool) is None]
    return f"missing {', '.join(missing)}" if missing else None


def live_requests(stack: Stack, item: ex.AppliedExample, run_dir: Path) -> None:
    from alblab.dataplane import DataPlane

    plane = DataPlane(stack, run_dir, key_dir=item.workspace.key_dir)
    try:
        plane.up()
        print(f"\n  {CURLS} requests from a client namespace to http://{stack.load_balancer.dns_name}/")
        seen: Counter[str] = Counter()
        for i in range(CURLS):
            result = plane.curl("/")
            instance_id = result.field("instance") or "?"
            instance = stack.instances.get(instance_id)
            who = f"{instance.name} ({instance_id}, {instance.private_ip})" if instance else instance_id
            seen[instance.name if instance else instance_id] += 1
            print(f"    {i + 1}. {result.status_line}  answered by {who}")
        print(f"  spread: {dict(seen)}")
        for instance in stack.instances.values():
            print(
                f"  direct to {instance.name}:80 from the client: "
                f"{'OPEN' if plane.reach(instance.id) else 'blocked'}"
            )
    finally:
        plane.down()


def run_demo(example: str = "basic") -> int:
    work_root = _work_root()
    emulator = Emulator(state_dir=work_root / "emulator")
    item: ex.AppliedExample | None = None
    try:
        print("starting the AWS emulator (moto) ... ", end="", flush=True)
        emulator.start()
        print(emulator.endpoint)
        clients = aws_clients(emulator.endpoint)
        name = ex.unique_name(ex.run_prefix(), example)
        item = ex.prepare(example, name, work_root, emulator.endpoint, clients)
        print(
            f"terraform init + plan + apply of examples/{example} as {name!r} (the ALB alone takes 60 s) ..."
        )
        ex.apply(item)
        if item.error:
            print(f"apply failed: {item.error}", file=sys.stderr)
            return 1
        print("  phases: " + ", ".join(f"{k} {v} s" for k, v in item.times.items()))
        stack = item.stack()
        show_stack(stack)
        why_not = dataplane_available()
        if why_not:
            print(f"\n(live data plane skipped: {why_not})")
        else:
            live_requests(stack, item, work_root / "dataplane")
        return 0
    finally:
        if item is not None:
            print("\nterraform destroy ...", flush=True)
            try:
                ex.destroy(item)
                left = item.leftovers()
                print(f"  destroyed in {item.times.get('destroy')} s; left behind: {left or 'nothing'}")
            except Exception as exc:  # the emulator still has to stop
                print(f"  destroy failed: {exc}", file=sys.stderr)
        emulator.stop()
        shutil.rmtree(work_root, ignore_errors=True)
        print("emulator stopped.")


def run_plan(example: str) -> int:
    work_root = _work_root()
    try:
        with Emulator(state_dir=work_root / "emulator") as emulator:
            clients = aws_clients(emulator.endpoint)
            item = ex.prepare(
                example, ex.unique_name(ex.run_prefix(), example), work_root, emulator.endpoint, clients
            )
            runner = item.workspace.runner
            runner.init()
            planfile = item.workspace.dir / "plan.tfplan"
            runner.plan(out=planfile)
            print_plan_summary(runner.show_json(planfile))
        return 0
    finally:
        shutil.rmtree(work_root, ignore_errors=True)


def print_plan_summary(plan: dict[str, Any]) -> None:
    counts: Counter[str] = Counter()
    for change in plan.get("resource_changes", []):
        if change.get("mode") != "managed":
            continue
        actions = "/".join(change["change"]["actions"])
        counts[actions] += 1
        print(f"  {actions:<8} {change['address']}")
    by_type = Counter(c["type"] for c in plan.get("resource_changes", []) if c.get("mode") == "managed")
    print("\n  " + ", ".join(f"{n} {t}" for t, n in sorted(by_type.items())))
    print(f"Plan: {counts['create']} to add, {counts['update']} to change, {counts['delete']} to destroy.")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="alblab demo", description=__doc__)
    sub = parser.add_subparsers(dest="command")
    sub.add_parser("demo", help="apply examples/basic, show it, send requests, destroy (default)")
    plan = sub.add_parser("plan", help="plan one example against the emulator")
    plan.add_argument("example", choices=ex.list_examples())
    args = parser.parse_args(argv)
    if args.command == "plan":
        return run_plan(args.example)
    return run_demo()


if __name__ == "__main__":
    sys.exit(main())
