"""One line per resource a plan changes: what a participant should notice about their step's change."""

from __future__ import annotations

from typing import Any

_SYMBOL = {
    ("create",): "+",
    ("delete",): "-",
    ("update",): "~",
    ("delete", "create"): "-/+",
    ("create", "delete"): "+/-",
}


def summarize(plan_json: dict[str, Any]) -> list[str]:
    lines = []
    counts = {"add": 0, "change": 0, "destroy": 0}
    for change in plan_json.get("resource_changes", []):
        actions = tuple(change["change"]["actions"])
        if actions in (("no-op",), ("read",)):
            continue
        symbol = _SYMBOL.get(actions, "?")
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
