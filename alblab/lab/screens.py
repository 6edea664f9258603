"""The lab's screens: the text each participant command prints, from what ``observe`` measured.

Rules, actions and plans read as everywhere else in alblab (``alblab.present``); what is the lab's own is
the classroom wording around them (who answered, in turn or not, why a direct attempt was blocked).
"""

from __future__ import annotations

from collections import Counter
from itertools import pairwise

from alblab import present
from alblab.lab.observe import Answer, Traffic
from alblab.lab.resources import LabResources, render_resources, target_group_line
from alblab.model import Stack


def answers(stack: Stack, found: list[Answer], path: str, view: bool) -> list[str]:
    lines = [
        f"GET http://{stack.load_balancer.dns_name}{path}" + (f"  x{len(found)}" if len(found) > 1 else "")
    ]
    if view:
        # Which instance answers first depends on the order the API lists the targets (HAProxy starts its
        # round robin there), so the view speaks of "the instance" and shows only what it saw.
        for answer in found:
            lines.append(f"  {answer.status} - the instance that answered saw:")
            lines.append(f"  peer address     {answer.peer}  <- an ALB node, not you")
            lines.append(f"  X-Forwarded-For  {answer.xff}  <- you, the client")
        return lines
    counts = Counter((a.status, a.where, a.body if not a.server else "") for a in found)
    for (status, where, body), count in sorted(counts.items()):
        times = f"  x{count}" if len(found) > 1 else ""
        if where:
            lines.append(f"  {status} from {where}{times}")
        elif status:
            lines.append(f"  {status} from the ALB itself: {body}{times}")
        else:
            lines.append(f"  no answer{times}")
    servers = [a.where for a in found if a.server]
    if len(found) > 1 and len(set(servers)) > 1:
        in_turn = all(a != b for a, b in pairwise(servers))
        lines.append(f"answered in turn: {'yes' if in_turn else 'no'}")
    return lines


def reach(traffic: Traffic) -> list[str]:
    lines = [
        f"direct access from the client ({traffic.client_ip}) to each instance, port 80, bypassing the ALB:"
    ]
    for iid, (measured, verdict) in traffic.direct_reach().items():
        inst = traffic.stack.instances[iid]
        state = "open" if measured else "blocked"
        lines.append(f"  {traffic.names[iid]:<6} {iid}  {inst.private_ip}:80  {state}")
        lines.append(f"         why: {verdict.reason}")
    return lines


def health(traffic: Traffic) -> list[str]:
    """Per target group: its type, then each target's health first (ids vary in length, so they go last)."""
    stack, states = traffic.stack, traffic.target_states()
    lines = []
    for tg in sorted(stack.target_groups.values(), key=lambda t: t.name):
        lines.append(target_group_line(tg.name, tg.target_type, tg.protocol, tg.port))
        for target in sorted(tg.targets, key=lambda t: traffic.names.get(t.id, t.id)):
            name = traffic.names.get(target.id, target.id)
            state = states[(tg.arn, target.id)]
            lines.append(f"  {name:<8} {state:<10} {target.id}:{tg.port_of(target)}")
    return lines


def show(resources: LabResources, stack: Stack | None) -> list[str]:
    lines = render_resources(resources).splitlines()
    if stack is not None:
        lb = stack.load_balancer
        lines.append(f"load balancer {lb.name}  {lb.dns_name}")
        lines.extend(f"  {row}" for row in present.rules_table(stack).splitlines())
    return lines
