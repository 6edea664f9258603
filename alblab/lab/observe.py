"""What the participant sees: requests through the ALB, direct reach, health, in the lab's vocabulary.

This is the only lab module that talks to the data plane (and to the reach verdicts), and it speaks of
``web-a`` / ``web-b`` / ``on-prem`` rather than ids, so that the docs read like a classroom, not a log.
"""

from __future__ import annotations

import os
import time
from collections import Counter
from dataclasses import dataclass
from itertools import pairwise

from alblab.dataplane import DataPlane
from alblab.dataplane.plane import DataPlaneError
from alblab.lab.diagram import Observations
from alblab.model import Action, Condition, Listener, Stack
from alblab.verdicts.reach import GroupSource, InternetSource, Verdict, can_reach

# Namespace prefix of the lab's data plane; the test uses its own so a running lab is never touched.
PREFIX = os.environ.get("ALBLAB_LAB_PREFIX", "wslab")
ONPREM = "on-prem"


@dataclass(frozen=True)
class Answer:
    status: int  # 0 = no answer (timeout, refused)
    server: str  # web-a / web-b / on-prem, "" when the ALB answered by itself
    peer: str
    xff: str
    content_type: str
    body: str


def short_names(stack: Stack, name: str) -> dict[str, str]:
    """instance id / IP target -> what the lab calls it."""
    names = {iid: inst.name.removeprefix(f"{name}-") or iid for iid, inst in stack.instances.items()}
    for inst in stack.instances.values():
        names[inst.private_ip] = names[inst.id]
    for tg in stack.target_groups.values():
        if tg.target_type == "ip":
            for target in tg.targets:
                names.setdefault(target.id, ONPREM)
    return names


def instance_id(stack: Stack, name: str, short: str) -> str:
    for iid, called in short_names(stack, name).items():
        if called == short and iid in stack.instances:
            return iid
    known = sorted({n for i, n in short_names(stack, name).items() if i in stack.instances})
    raise KeyError(f"no instance called {short!r}; the lab has {', '.join(known)}")


def client_ip(plane: DataPlane) -> str:
    return str(plane.topo.client.ip)


def request(plane: DataPlane, stack: Stack, path: str, name: str) -> Answer:
    try:
        result = plane.curl(path)
    except DataPlaneError:
        return Answer(0, "", "", "", "", "")
    fields = result.fields()
    # Only an instance's answer names an instance; a fixed response is the ALB speaking for itself.
    who = fields.get("instance", [""])[0]
    return Answer(
        status=result.status,
        server=short_names(stack, name).get(who, who),
        peer=fields.get("peer", [""])[0],
        xff=", ".join(fields.get("x-forwarded-for", [])),
        content_type=result.header("content-type") or "",
        body=result.body.strip(),
    )


def render_answers(stack: Stack, answers: list[Answer], path: str, view: bool) -> list[str]:
    lines = [
        f"GET http://{stack.load_balancer.dns_name}{path}"
        + (f"  x{len(answers)}" if len(answers) > 1 else "")
    ]
    if view:
        # Which instance answers first depends on the order the API lists the targets (HAProxy starts its
        # round robin there), so the view speaks of "the instance" and shows only what it saw.
        for answer in answers:
            lines.append(f"  {answer.status} - the instance that answered saw:")
            lines.append(f"  peer address     {answer.peer}  <- an ALB node, not you")
            lines.append(f"  X-Forwarded-For  {answer.xff}  <- you, the client")
        return lines
    counts = Counter((a.status, a.server or "", a.body if not a.server else "") for a in answers)
    for (status, server, body), count in sorted(counts.items()):
        times = f"  x{count}" if len(answers) > 1 else ""
        if server:
            lines.append(f"  {status} from {server}{times}")
        elif status:
            lines.append(f"  {status} from the ALB itself: {body}{times}")
        else:
            lines.append(f"  no answer{times}")
    servers = [a.server for a in answers if a.server]
    if len(answers) > 1 and len(set(servers)) > 1:
        in_turn = all(a != b for a, b in pairwise(servers))
        lines.append(f"answered in turn: {'yes' if in_turn else 'no'}")
    return lines


def direct_reach(plane: DataPlane, stack: Stack) -> dict[str, tuple[bool, Verdict]]:
    """instance id -> (did a TCP connect from the client succeed, the SG verdict with its reason)."""
    source = InternetSource(client_ip(plane))
    return {
        iid: (bool(plane.reach(iid, 80)), can_reach(stack, source, iid, 80))
        for iid in sorted(stack.instances, key=lambda i: stack.instances[i].name)
    }


def alb_reach(plane: DataPlane, stack: Stack) -> dict[str, bool]:
    """instance id -> may the ALB's security groups open a connection to it on its target port?"""
    lb = stack.load_balancer
    nodes = tuple(plane.topo.alb_ips)
    allowed: dict[str, bool] = {}
    for tg in stack.target_groups.values():
        for target in tg.targets:
            if target.id not in stack.instances:
                continue
            port = tg.port_of(target) or 80
            # Each node has its own address: a CIDR rule may admit one node and not the other.
            allowed[target.id] = all(
                can_reach(
                    stack, GroupSource(lb.security_group_ids[0], ip), target.id, port, alb_node_ips=nodes
                ).allowed
                for ip in nodes
            )
    return allowed


def render_reach(plane: DataPlane, stack: Stack, name: str) -> list[str]:
    names = short_names(stack, name)
    lines = [
        f"direct access from the client ({client_ip(plane)}) to each instance, port 80, bypassing the ALB:"
    ]
    for iid, (measured, verdict) in direct_reach(plane, stack).items():
        inst = stack.instances[iid]
        state = "open" if measured else "blocked"
        lines.append(f"  {names[iid]:<6} {iid}  {inst.private_ip}:80  {state}")
        lines.append(f"         why: {verdict.reason}")
    return lines


def target_states(plane: DataPlane, stack: Stack) -> dict[tuple[str, str], str]:
    """(target group arn, target id) -> healthy | unhealthy | ..., as the ALB nodes' health checks see it."""
    by_name = plane.target_health()
    states: dict[tuple[str, str], str] = {}
    for tg in stack.target_groups.values():
        rows = by_name.get(tg.name, {})
        for target in tg.targets:
            port = tg.port_of(target)
            states[(tg.arn, target.id)] = rows.get(f"{target.id}:{port}", "unknown")
    return states


def render_health(plane: DataPlane, stack: Stack, name: str) -> list[str]:
    names = short_names(stack, name)
    lines = []
    states = target_states(plane, stack)
    for tg in sorted(stack.target_groups.values(), key=lambda t: t.name):
        lines.append(f"target group {tg.name}")
        for target in sorted(tg.targets, key=lambda t: names.get(t.id, t.id)):
            lines.append(f"  {names.get(target.id, target.id):<8} {states[(tg.arn, target.id)]}")
    return lines


def wait_target_state(plane: DataPlane, stack: Stack, target_id: str, wanted: str, timeout: float) -> str:
    deadline = time.monotonic() + timeout
    state = "unknown"
    while time.monotonic() < deadline:
        states = [s for (_tg, tid), s in target_states(plane, stack).items() if tid == target_id]
        state = states[0] if states and all(s == states[0] for s in states) else "mixed"
        if state == wanted:
            return state
        time.sleep(0.5)
    return state


def wait_health_settled(plane: DataPlane, stack: Stack, timeout: float) -> None:
    """Wait until no target is still waiting for its first checks, so outputs do not depend on timing."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if all(s in ("healthy", "unhealthy") for s in target_states(plane, stack).values()):
            return
        time.sleep(0.5)


def _conditions(conditions: tuple[Condition, ...]) -> str:
    return " and ".join(f"{c.field} {' | '.join(sorted(c.values))}" for c in conditions)


def _action(stack: Stack, action: Action) -> str:
    if action.type == "forward":
        return "forward to " + ", ".join(
            stack.target_groups[w.target_group_arn].name for w in action.target_groups
        )
    if action.type == "fixed-response" and action.fixed_response:
        return f"fixed response {action.fixed_response.status_code} {action.fixed_response.message_body!r}"
    return action.type


def describe_rules(stack: Stack, listener: Listener, _name: str) -> list[str]:
    lines = [
        f"rule {rule.priority:<3} if {_conditions(rule.conditions)}: {_action(stack, rule.action)}"
        for rule in listener.rules
    ]
    lines.append(f"default     {_action(stack, listener.default_action)}")
    return lines


def observations(plane: DataPlane, stack: Stack) -> Observations:
    return Observations(
        client_ip=client_ip(plane),
        health=target_states(plane, stack),
        client_to_instance={iid: measured for iid, (measured, _v) in direct_reach(plane, stack).items()},
        alb_to_instance=alb_reach(plane, stack),
    )
