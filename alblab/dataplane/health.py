"""Target health as the ALB nodes' health checks see it, in ELBv2's words (pure)."""

from __future__ import annotations

from collections.abc import Mapping

from alblab.dataplane import haproxy
from alblab.model import Stack

NODE_DOWN = "node-down"  # the node's HAProxy does not answer: it sees nothing

NodeStats = Mapping[tuple[str, str], str] | None  # (backend, server) -> HAProxy status; None: node down


def health_word(status: str) -> str:
    """HAProxy server status -> the ELBv2 target health word."""
    if status.startswith("UP") or status == "NOLB":
        return "healthy"
    if status.startswith("DOWN"):
        return "unhealthy"
    if status == "MAINT":
        return "unused"
    return "unavailable"  # "no check": health checks are off


def per_node(stack: Stack, stats: Mapping[str, NodeStats]) -> dict[str, dict[str, dict[str, str]]]:
    """target group name -> "target:port" -> node name -> health word."""
    out: dict[str, dict[str, dict[str, str]]] = {}
    for tg in stack.target_groups.values():
        rows = out.setdefault(tg.name, {})
        for target in tg.targets:
            port = tg.port_of(target)
            key = (haproxy.backend_name(tg), haproxy.server_name(target, port))
            rows[f"{target.id}:{port}"] = {
                node: NODE_DOWN if seen is None else health_word(seen[key]) if key in seen else "unused"
                for node, seen in stats.items()
            }
    return out


def combined(rows: Mapping[str, Mapping[str, Mapping[str, str]]]) -> dict[str, dict[str, str]]:
    """tg name -> "target:port" -> one word: what every answering node agrees on, else "mixed"."""
    out: dict[str, dict[str, str]] = {}
    for tg, targets in rows.items():
        out[tg] = {}
        for target, nodes in targets.items():
            words = {w for w in nodes.values() if w != NODE_DOWN}
            if not words:
                out[tg][target] = NODE_DOWN if nodes else "draining"
            else:
                out[tg][target] = words.pop() if len(words) == 1 else "mixed"
    return out
