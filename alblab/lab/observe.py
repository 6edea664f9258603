"""What traffic really does in the lab: requests through the ALB, direct attempts, health, as measured.

This is the only lab module that holds a data plane, and it uses only the plane's public face (requests,
direct probes, health, fail/heal, the client's and the ALB nodes' addresses). It speaks of ``web-a`` /
``web-b`` / ``on-prem`` rather than ids, so that checks and screens read like a classroom, not a log.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

from alblab.lab.diagram import AlbNodeView, Observations
from alblab.lab.errors import LabError
from alblab.model import Stack
from alblab.verdicts.reach import GroupSource, InternetSource, Verdict, can_reach

if TYPE_CHECKING:
    from alblab.dataplane import DataPlane

ONPREM = "on-prem"
POLL_S = 0.5


@dataclass(frozen=True)
class Answer:
    status: int  # 0 = no answer (timeout, refused)
    server: str  # web-a / web-b / on-prem, "" when the ALB answered by itself
    port: str  # the port the answering target served on ("" for the ALB itself)
    peer: str
    xff: str
    content_type: str
    body: str

    @property
    def where(self) -> str:
        """``web-a:8080``: which machine, and which of its apps."""
        return f"{self.server}:{self.port}" if self.port else self.server


def short_names(stack: Stack, name: str) -> dict[str, str]:
    """instance id / its private IP / IP target -> what the lab calls it."""
    names = {iid: inst.name.removeprefix(f"{name}-") or iid for iid, inst in stack.instances.items()}
    for inst in stack.instances.values():
        names[inst.private_ip] = names[inst.id]
    for tg in stack.target_groups.values():
        if tg.target_type == "ip":
            for target in tg.targets:
                names.setdefault(target.id, ONPREM)
    return names


class Traffic:
    """One data plane and the stack it serves, seen by the lab."""

    def __init__(self, plane: DataPlane, stack: Stack, name: str) -> None:
        self.plane = plane
        self.stack = stack
        self.names = short_names(stack, name)

    @property
    def client_ip(self) -> str:
        return self.plane.client_ip

    @property
    def alb_nodes(self) -> tuple[AlbNodeView, ...]:
        return tuple(sorted((AlbNodeView(n.ip, n.az) for n in self.plane.alb_nodes), key=lambda n: n.ip))

    def instance_id(self, short: str) -> str:
        """The id of the instance the lab calls ``short`` (web-a)."""
        for iid, called in self.names.items():
            if called == short and iid in self.stack.instances:
                return iid
        known = sorted({n for i, n in self.names.items() if i in self.stack.instances})
        raise LabError(f"There is no instance called {short!r}; the lab has {', '.join(known)}.")

    def request(self, path: str) -> Answer:
        from alblab.dataplane import DataPlaneError

        try:
            result = self.plane.curl(path)
        except DataPlaneError:
            return Answer(0, "", "", "", "", "", "")
        fields = result.fields()
        # Only a target's answer names a target; a fixed response is the ALB speaking for itself.
        who = fields.get("instance", [""])[0]
        return Answer(
            status=result.status,
            server=self.names.get(who, who),
            port=fields.get("port", [""])[0] if who else "",
            peer=fields.get("peer", [""])[0],
            xff=", ".join(fields.get("x-forwarded-for", [])),
            content_type=result.header("content-type") or "",
            body=result.body.strip(),
        )

    def requests(self, path: str, count: int) -> list[Answer]:
        return [self.request(path) for _ in range(count)]

    def direct_reach(self) -> dict[str, tuple[bool, Verdict]]:
        """instance id -> (did a TCP connect from the client succeed, the SG verdict with its reason)."""
        source = InternetSource(self.client_ip)
        stack = self.stack
        return {
            iid: (bool(self.plane.reach(iid, 80)), can_reach(stack, source, iid, 80))
            for iid in sorted(stack.instances, key=lambda i: stack.instances[i].name)
        }

    def alb_reach(self) -> dict[str, bool]:
        """instance id -> may the ALB's security groups open a connection to it on every target port?"""
        stack, lb = self.stack, self.stack.load_balancer
        nodes = tuple(node.ip for node in self.alb_nodes)
        allowed: dict[str, bool] = {}
        for tg in stack.target_groups.values():
            for target in tg.targets:
                if target.id not in stack.instances:
                    continue
                port = tg.port_of(target) or 80
                # Each node has its own address: a CIDR rule may admit one node and not the other.
                ok = all(
                    can_reach(
                        stack, GroupSource(lb.security_group_ids[0], ip), target.id, port, alb_node_ips=nodes
                    ).allowed
                    for ip in nodes
                )
                allowed[target.id] = allowed.get(target.id, True) and ok
        return allowed

    def target_states(self) -> dict[tuple[str, str], str]:
        """(target group arn, target id) -> healthy | unhealthy | ..., as the ALB nodes' checks see it."""
        by_name = self.plane.target_health()
        states: dict[tuple[str, str], str] = {}
        for tg in self.stack.target_groups.values():
            rows = by_name.get(tg.name, {})
            for target in tg.targets:
                states[(tg.arn, target.id)] = rows.get(f"{target.id}:{tg.port_of(target)}", "unknown")
        return states

    def fail(self, short: str) -> str:
        iid = self.instance_id(short)
        self.plane.fail(iid, mode="dead")
        return iid

    def heal(self, short: str) -> str:
        iid = self.instance_id(short)
        self.plane.heal(iid)
        return iid

    def wait_target_state(self, target_id: str, wanted: str, timeout: float) -> str:
        """Poll until every target group sees ``target_id`` as ``wanted``; returns the last state seen."""
        deadline = time.monotonic() + timeout
        state = "unknown"
        while time.monotonic() < deadline:
            states = [s for (_tg, tid), s in self.target_states().items() if tid == target_id]
            state = states[0] if states and all(s == states[0] for s in states) else "mixed"
            if state == wanted:
                return state
            time.sleep(POLL_S)
        return state

    def wait_settled(self, timeout: float) -> None:
        """Until no target still waits for its first checks, so what the lab prints does not depend on
        timing. A target that stays unhealthy (an unreachable on-prem server) settles too."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if all(s in ("healthy", "unhealthy") for s in self.target_states().values()):
                return
            time.sleep(POLL_S)

    def observations(self) -> Observations:
        return Observations(
            client_ip=self.client_ip,
            alb_nodes=self.alb_nodes,
            health=self.target_states(),
            client_to_instance={iid: measured for iid, (measured, _v) in self.direct_reach().items()},
            alb_to_instance=self.alb_reach(),
        )
