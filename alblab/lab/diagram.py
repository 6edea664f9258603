"""Draw the live topology with graphviz: client -> ALB -> listener rules -> target groups -> targets.

Input is the ``Stack`` read from the API plus what the data plane measured (target health) and the
reach verdicts (may the client / the ALB open a connection to each instance?). Edge colours show the
security groups: green = allowed, red = blocked; target fill shows health: green healthy, red unhealthy.
"""

from __future__ import annotations

import subprocess
import textwrap
from dataclasses import dataclass, field
from pathlib import Path

from alblab.model import Action, Listener, Stack

HEALTH_COLOURS = {"healthy": "#b7e4c7", "unhealthy": "#f4a6a6", "unknown": "#e0e0e0"}
ALLOWED, BLOCKED = "#2d9a4b", "#d62828"


@dataclass(frozen=True)
class Observations:
    client_ip: str
    health: dict[tuple[str, str], str] = field(
        default_factory=dict
    )  # (tg arn, target id) -> healthy|unhealthy
    client_to_instance: dict[str, bool] = field(default_factory=dict)  # instance id -> allowed
    alb_to_instance: dict[str, bool] = field(default_factory=dict)  # instance id -> allowed


def _q(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def _node_id(kind: str, key: str) -> str:
    return _q(f"{kind}:{key}")


def _conditions(rule_conditions: tuple) -> str:
    parts = []
    for cond in rule_conditions:
        values = ", ".join(sorted(cond.values)) if cond.values else ", ".join(v for _, v in cond.query_pairs)
        name = cond.header_name or cond.field
        parts.append(f"{name}: {values}")
    return "\n".join(parts)


def _action_edges(source: str, action: Action, stack: Stack, lines: list[str], fixed_key: str) -> None:
    if action.type == "forward":
        for weighted in action.target_groups:
            label = f" [label={_q(f'weight {weighted.weight}')}]" if len(action.target_groups) > 1 else ""
            lines.append(f"  {source} -> {_node_id('tg', weighted.target_group_arn)}{label};")
    elif action.type == "fixed-response" and action.fixed_response is not None:
        fixed = action.fixed_response
        node = _node_id("fixed", fixed_key)
        body = textwrap.fill(fixed.message_body, 32, max_lines=3, placeholder=" ...")
        label = f"fixed response {fixed.status_code}\n{body}"
        lines.append(f"  {node} [shape=note, style=filled, fillcolor={_q('#fde2b3')}, label={_q(label)}];")
        lines.append(f"  {source} -> {node};")
    elif action.type == "redirect" and action.redirect is not None:
        node = _node_id("redirect", fixed_key)
        redirect = action.redirect
        label = f"redirect {redirect.status_code}\n{redirect.protocol}://{redirect.host}:{redirect.port}"
        lines.append(f"  {node} [shape=note, label={_q(label)}];")
        lines.append(f"  {source} -> {node};")


def _listener(listener: Listener, stack: Stack, lines: list[str]) -> str:
    node = _node_id("listener", listener.arn)
    lines.append(
        f"    {node} [shape=box, style=rounded, label={_q(f'listener {listener.protocol}:{listener.port}')}];"
    )
    for rule in listener.rules:
        rule_node = _node_id("rule", rule.arn)
        label = f"rule {rule.priority}\n{_conditions(rule.conditions)}"
        lines.append(f"    {rule_node} [shape=box, style=dashed, label={_q(label)}];")
        lines.append(f"    {node} -> {rule_node};")
    default = _node_id("rule", listener.arn + "/default")
    lines.append(f"    {default} [shape=box, style=dashed, label={_q('default')}];")
    lines.append(f"    {node} -> {default};")
    return node


def to_dot(stack: Stack, seen: Observations, short_name: dict[str, str]) -> str:
    """``short_name`` maps instance ids / IPs to what the lab calls them (web-a, on-prem)."""
    lb = stack.load_balancer
    client_label = f"client (you)\n{seen.client_ip}"
    alb_label = f"ALB {lb.name}\nSG " + ", ".join(_sg_names(stack, lb.security_group_ids))
    lines = [
        "digraph alb {",
        "  rankdir=LR; fontname=Helvetica; node [fontname=Helvetica, fontsize=11];",
        "  edge [fontname=Helvetica, fontsize=10];",
        f"  client [shape=box, style=filled, fillcolor={_q('#dbe9ff')}, label={_q(client_label)}];",
        f"  subgraph {_q('cluster_alb')} {{",
        f"    label={_q(alb_label)};",
        "    style=rounded;",
    ]
    listener_nodes = [_listener(listener, stack, lines) for listener in lb.listeners]
    lines.append("  }")
    for node in listener_nodes:
        lines.append(f"  client -> {node} [label={_q('HTTP')}];")
    for listener in lb.listeners:
        for rule in listener.rules:
            _action_edges(_node_id("rule", rule.arn), rule.action, stack, lines, rule.arn)
        _action_edges(
            _node_id("rule", listener.arn + "/default"), listener.default_action, stack, lines, listener.arn
        )

    for tg in sorted(stack.target_groups.values(), key=lambda t: t.name):
        tg_node = _node_id("tg", tg.arn)
        label = f"target group {tg.name}\n{tg.protocol}:{tg.port} ({tg.target_type})"
        lines.append(f"  {tg_node} [shape=folder, label={_q(label)}];")
        for target in tg.targets:
            target_node = _node_id("target", target.id)
            health = seen.health.get((tg.arn, target.id), "unknown")
            instance = stack.instances.get(target.id)
            where = instance.private_ip if instance else target.id
            name = short_name.get(target.id, target.id)
            sgs = ", ".join(_sg_names(stack, instance.security_group_ids)) if instance else "outside the VPC"
            label = f"{name}\n{where}:{target.port}\n{health}\nSG {sgs}"
            fill = _q(HEALTH_COLOURS.get(health, HEALTH_COLOURS["unknown"]))
            lines.append(f"  {target_node} [shape=box, style=filled, fillcolor={fill}, label={_q(label)}];")
            allowed = seen.alb_to_instance.get(target.id, True)
            lines.append(f"  {tg_node} -> {target_node} [color={_q(ALLOWED if allowed else BLOCKED)}];")

    for instance_id in sorted(seen.client_to_instance):
        allowed = seen.client_to_instance[instance_id]
        verdict = "direct: SG allows" if allowed else "direct: SG blocks"
        lines.append(
            f"  client -> {_node_id('target', instance_id)} [style=dashed, constraint=false,"
            f" color={_q(ALLOWED if allowed else BLOCKED)}, fontcolor={_q(ALLOWED if allowed else BLOCKED)},"
            f" label={_q(verdict)}{'' if allowed else ', arrowhead=tee'}];"
        )
    legend = (
        "edges to targets: green = security groups allow, red = they block; "
        "dashed = direct access from the client; target colour = health (green healthy, red unhealthy)"
    )
    lines.append(f"  label={_q(legend)}; labelloc=b; fontsize=10;")
    lines.append("}")
    return "\n".join(lines) + "\n"


def _sg_names(stack: Stack, group_ids: tuple[str, ...]) -> list[str]:
    return [stack.security_groups[g].name if g in stack.security_groups else g for g in group_ids]


def render(dot_source: str, out_prefix: Path) -> tuple[Path, Path]:
    """Write ``<prefix>.dot``, ``.svg`` and ``.png`` with graphviz ``dot``; returns (svg, png)."""
    out_prefix.parent.mkdir(parents=True, exist_ok=True)
    dot_file = out_prefix.with_suffix(".dot")
    dot_file.write_text(dot_source)
    svg, png = out_prefix.with_suffix(".svg"), out_prefix.with_suffix(".png")
    subprocess.run(["dot", "-Tsvg", str(dot_file), "-o", str(svg)], check=True, timeout=60)
    subprocess.run(["dot", "-Tpng", "-Gdpi=110", str(dot_file), "-o", str(png)], check=True, timeout=60)
    return svg, png
