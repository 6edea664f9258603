"""Words and tables for what the harness shows: rules, actions, targets, plans, checks.

One home for every piece of text the CLI, the demo, ``alblab check`` and the pytest plugin print about a
stack, so a rule reads the same everywhere.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from alblab.model import Action, Condition, Listener, Stack

_PLAN_SYMBOL = {
    ("create",): "+",
    ("delete",): "-",
    ("update",): "~",
    ("delete", "create"): "-/+",
    ("create", "delete"): "+/-",
}


def table(rows: Sequence[Sequence[str]]) -> str:
    """Left-aligned columns, two spaces apart; the first row is the header."""
    if not rows:
        return ""
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    return "\n".join(
        "  ".join(cell.ljust(w) for cell, w in zip(r, widths, strict=True)).rstrip() for r in rows
    )


def condition(c: Condition) -> str:
    if c.field == "http-header":
        return f"header {c.header_name} in {list(c.values)}"
    if c.field == "query-string":
        return "query " + " | ".join(f"{k or '*'}={v}" for k, v in c.query_pairs)
    return f"{c.field} {list(c.values)}"


def conditions(items: Iterable[Condition]) -> str:
    return "; ".join(condition(c) for c in items)


def action(stack: Stack, a: Action) -> str:
    names = {tg.arn: tg.name for tg in stack.target_groups.values()}
    if a.type == "forward":
        groups = [(names.get(t.target_group_arn, t.target_group_arn), t.weight) for t in a.target_groups]
        sticky = f" sticky {a.stickiness_duration}s" if a.stickiness_enabled else ""
        if len(groups) == 1:
            return f"forward {groups[0][0]}{sticky}"
        return "forward " + ", ".join(f"{name}:{weight}" for name, weight in groups) + sticky
    if a.type == "fixed-response" and a.fixed_response:
        return f"fixed {a.fixed_response.status_code} {a.fixed_response.message_body[:30]!r}"
    if a.type == "redirect" and a.redirect:
        r = a.redirect
        return f"redirect {r.status_code} {r.protocol}://{r.host}:{r.port}{r.path}?{r.query}"
    return a.type


def listener_name(listener: Listener) -> str:
    return f"{listener.protocol}:{listener.port}"


def rules_table(stack: Stack) -> str:
    rows = [["listener", "priority", "conditions", "action"]]
    for lst in stack.load_balancer.listeners:
        for rule in lst.rules:
            rows.append(
                [
                    listener_name(lst),
                    str(rule.priority),
                    conditions(rule.conditions),
                    action(stack, rule.action),
                ]
            )
        rows.append([listener_name(lst), "default", "", action(stack, lst.default_action)])
    return table(rows)


def target_label(stack: Stack, target_id: str) -> str:
    instance = stack.instances.get(target_id)
    return f"{instance.name} ({target_id})" if instance and instance.name else target_id


def targets_table(stack: Stack, live: dict[str, dict[str, dict[str, str]]] | None = None) -> str:
    """Every registration with the API's health and, when ``live`` is given, each ALB node's view."""
    header = ["target group", "target", "ip", "api health"] + (["live health (per ALB node)"] if live else [])
    rows = [header]
    for tg in sorted(stack.target_groups.values(), key=lambda t: t.name):
        for target in tg.targets:
            port = tg.port_of(target)
            ip = stack.address_of(tg, target) or "-"
            row = [tg.name, f"{target_label(stack, target.id)}:{port}", ip, target.health]
            if live is not None:
                nodes = live.get(tg.name, {}).get(f"{target.id}:{port}", {})
                row.append(", ".join(f"{node}={word}" for node, word in sorted(nodes.items())))
            rows.append(row)
    return table(rows)


def plan_lines(plan_json: dict[str, Any]) -> list[str]:
    """One line per resource a plan changes (replacements counted as one add and one destroy), then the
    count line Terraform itself prints."""
    lines = []
    counts = {"add": 0, "change": 0, "destroy": 0}
    for change in plan_json.get("resource_changes", []):
        actions = tuple(change["change"]["actions"])
        if actions in (("no-op",), ("read",)):
            continue
        symbol = _PLAN_SYMBOL.get(actions, "?")
        note = " (replace)" if len(actions) == 2 else ""
        lines.append(f"  {symbol} {change['address']}{note}")
        counts["add"] += "create" in actions
        counts["change"] += actions == ("update",)
        counts["destroy"] += "delete" in actions
    lines.sort(key=lambda line: line.split()[1])
    lines.append(
        f"Plan: {counts['add']} to add, {counts['change']} to change, {counts['destroy']} to destroy."
    )
    return lines
