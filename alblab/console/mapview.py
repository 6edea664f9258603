"""The resource map as JSON: listeners → rules in evaluation order → target groups → targets, and the
security-group chain with the rule that decides each edge. Pure: from a ``Stack`` and the plane's views.

Rule, condition and action words come from ``alblab.present`` (they read as in ``alblab status``); the
decisions and their reasons from ``alblab.verdicts.reach``. The page adds the live parts (health, counts,
the last answer) by the keys given here: a target is ``"<target group>|<target id>:<port>"``.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping, Sequence
from typing import Any

from alblab import present
from alblab.model import Action, Listener, Stack, TargetGroup
from alblab.verdicts.reach import (
    GroupSource,
    InternetSource,
    Verdict,
    can_reach,
    egress_reach,
    listener_reach,
)
from alblab.verdicts.sgmatch import rule_text

NodeView = tuple[str, str, str]  # (name, ip, az) of an ALB node


def target_key(target_group: str, target_id: str, port: int | None) -> str:
    return f"{target_group}|{target_id}:{port}"


def _edge(verdict: Verdict) -> dict[str, Any]:
    return {"allowed": verdict.allowed, "unknown": verdict.unknown, "reason": verdict.reason}


def _action(stack: Stack, action: Action) -> dict[str, Any]:
    names = {tg.arn: tg.name for tg in stack.target_groups.values()}
    out: dict[str, Any] = {"type": action.type, "text": present.action(stack, action)}
    if action.type == "forward":
        out["target_groups"] = [
            {"name": names.get(t.target_group_arn, t.target_group_arn), "weight": t.weight}
            for t in action.target_groups
        ]
    elif action.fixed_response is not None:
        out["status_code"] = action.fixed_response.status_code
        out["body"] = action.fixed_response.message_body
    elif action.redirect is not None:
        out["status_code"] = action.redirect.status_code.removeprefix("HTTP_")
    return out


def _listener(stack: Stack, listener: Listener, client_ip: str | None) -> dict[str, Any]:
    rules = [
        {
            "priority": rule.priority,
            "conditions": [present.condition(c) for c in rule.conditions],
            "action": _action(stack, rule.action),
        }
        for rule in listener.rules
    ]
    rules.append({"priority": None, "conditions": [], "action": _action(stack, listener.default_action)})
    return {
        "name": present.listener_name(listener),
        "port": listener.port,
        "protocol": listener.protocol,
        "rules": rules,
        "ingress": _edge(listener_reach(stack, client_ip, listener.port)) if client_ip else None,
    }


def _in_vpc(stack: Stack, ip: str) -> bool:
    try:
        address = ipaddress.ip_address(ip)
        return any(address in ipaddress.ip_network(s.cidr_ipv4) for s in stack.subnets.values())
    except ValueError:
        return False


def _alb_edge(stack: Stack, target_id: str, port: int, nodes: Sequence[NodeView]) -> Verdict:
    """From every ALB node (each has its own address: a CIDR rule may admit one and not another)."""
    sg = stack.load_balancer.security_group_ids[0] if stack.load_balancer.security_group_ids else ""
    ips = tuple(ip for _name, ip, _az in nodes)
    verdicts = [
        can_reach(stack, GroupSource(sg, ip), target_id, port, alb_node_ips=ips) for ip in ips or ("",)
    ]
    return next((v for v in verdicts if not v.allowed), verdicts[0])


def _targets(
    stack: Stack, tg: TargetGroup, names: Mapping[str, str], client_ip: str | None, nodes: Sequence[NodeView]
) -> list[dict[str, Any]]:
    out = []
    for target in tg.targets:
        port = tg.port_of(target) or 0
        instance = stack.instances.get(target.id)
        row: dict[str, Any] = {
            "key": target_key(tg.name, target.id, tg.port_of(target)),
            "id": target.id,
            "name": names.get(target.id) or (instance.name if instance else "") or target.id,
            "port": port,
            "address": stack.address_of(tg, target) or "",
            "kind": "instance" if instance else "ip",
            "onprem": instance is None and not _in_vpc(stack, target.id),
        }
        if instance is not None:
            row["alb_edge"] = _edge(_alb_edge(stack, target.id, port, nodes))
            direct = can_reach(stack, InternetSource(client_ip), target.id, port) if client_ip else None
            row["direct_edge"] = _edge(direct) if direct else None
        else:
            row["alb_edge"] = _edge(egress_reach(stack, target.id, port))
            row["direct_edge"] = None
        out.append(row)
    return sorted(out, key=lambda r: (r["name"], r["port"]))


def _security_groups(stack: Stack) -> list[dict[str, Any]]:
    out = []
    for group in sorted(stack.security_groups.values(), key=lambda g: g.name):
        lines = [f"in  {rule_text(r)}" for r in group.ingress] + [f"out {rule_text(r)}" for r in group.egress]
        out.append({"id": group.id, "name": group.name, "rules": lines})
    return out


def build(
    stack: Stack,
    nodes: Sequence[NodeView] = (),
    client_ip: str | None = None,
    names: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """The map of ``stack``; ``nodes`` and ``client_ip`` from the data plane (none without one); ``names``:
    what to call a target (instance id or IP) instead of its Name tag (the lab's web-a, on-prem)."""
    lb = stack.load_balancer
    names = names or {}
    subnets = {s.id: s for s in stack.subnets.values()}
    return {
        "load_balancer": {
            "name": lb.name,
            "dns_name": lb.dns_name,
            "security_groups": [
                {"id": g, "name": stack.security_groups[g].name if g in stack.security_groups else g}
                for g in lb.security_group_ids
            ],
            "subnets": [subnets[s].cidr_ipv4 for s in lb.subnet_ids if s in subnets],
            "nodes": [{"name": name, "ip": ip, "az": az} for name, ip, az in nodes],
        },
        "client_ip": client_ip,
        "listeners": [_listener(stack, listener, client_ip) for listener in lb.listeners],
        "target_groups": [
            {
                "name": tg.name,
                "type": tg.target_type,
                "protocol": tg.protocol,
                "port": tg.port,
                "health_check": _health_check(tg),
                "targets": _targets(stack, tg, names, client_ip, nodes),
            }
            for tg in sorted(stack.target_groups.values(), key=lambda t: t.name)
        ],
        "security_groups": _security_groups(stack),
    }


def _health_check(tg: TargetGroup) -> dict[str, Any]:
    hc = tg.health_check
    return {
        "enabled": hc.enabled,
        "protocol": hc.protocol,
        "path": hc.path,
        "interval": hc.interval,
        "healthy_threshold": hc.healthy_threshold,
        "unhealthy_threshold": hc.unhealthy_threshold,
    }
