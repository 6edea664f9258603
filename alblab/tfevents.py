"""What ``terraform apply -json`` reports, as a timeline: each resource operation with its start and end, and
the errors with the resource they belong to.

Terraform's machine-readable UI writes one JSON object per line; ``apply_start`` / ``apply_complete`` /
``apply_errored`` carry the resource address, the action and a timestamp with microseconds, and an error is
a ``diagnostic`` whose ``address`` names the resource (https://developer.hashicorp.com/terraform/internals/
machine-readable-ui). Pure functions: nothing here runs Terraform.
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

# Ends of an operation; "apply_progress" lines in between are not needed for a timeline.
_END = {"apply_complete": "done", "apply_errored": "failed"}


@dataclass(frozen=True)
class ResourceOp:
    """One operation Terraform ran on one resource instance: ``start``/``end`` in seconds since the epoch
    (``end`` None while it ran when the output stopped: an interrupted apply)."""

    address: str
    action: str  # create | update | delete | replace | read
    start: float
    end: float | None
    outcome: str  # done | failed | unfinished

    def describe(self) -> str:
        return f"{self.action} {self.address}"


@dataclass(frozen=True)
class ApplyFailure:
    """An error of the apply: the resource (when Terraform names one), AWS's words and Terraform's summary."""

    address: str
    summary: str
    detail: str

    def describe(self) -> str:
        where = f"{self.address}: " if self.address else ""
        return f"{where}{aws_error(self.summary, self.detail)}"


def parse_lines(text: str) -> list[dict[str, Any]]:
    """The JSON objects of ``-json`` output (anything else on the stream, e.g. a crash text, is skipped)."""
    events = []
    for line in text.splitlines():
        if line.startswith("{"):
            try:
                events.append(json.loads(line))
            except json.JSONDecodeError:
                continue
    return events


def timestamp(event: dict[str, Any]) -> float:
    return datetime.datetime.fromisoformat(str(event["@timestamp"])).timestamp()


def operations(events: Iterable[dict[str, Any]]) -> list[ResourceOp]:
    """Every managed-resource operation, in the order it started (reads of data sources left out)."""
    open_ops: dict[tuple[str, str], tuple[float, int]] = {}
    done: list[tuple[int, ResourceOp]] = []
    order = 0
    for event in events:
        kind = event.get("type")
        hook = event.get("hook") or {}
        address = str((hook.get("resource") or {}).get("addr", ""))
        action = str(hook.get("action", ""))
        if not address or action == "read" or kind not in ("apply_start", *_END):
            continue
        key = (address, action)
        if kind == "apply_start":
            open_ops[key] = (timestamp(event), order)
            order += 1
            continue
        start, seq = open_ops.pop(key, (timestamp(event), order))
        done.append((seq, ResourceOp(address, action, start, timestamp(event), _END[str(kind)])))
    for (address, action), (start, seq) in open_ops.items():
        done.append((seq, ResourceOp(address, action, start, None, "unfinished")))
    return [op for _seq, op in sorted(done, key=lambda item: item[0])]


def failures(events: Iterable[dict[str, Any]]) -> list[ApplyFailure]:
    """Every error of the apply. Terraform names the resource of a provider error only in the operation
    that failed (``apply_errored``), not always in the diagnostic: those without an address take the failed
    operations' addresses, in order."""
    events = list(events)
    errored = [op.address for op in operations(events) if op.outcome == "failed"]
    found = []
    for event in events:
        diagnostic = event.get("diagnostic") if event.get("type") == "diagnostic" else None
        if diagnostic and diagnostic.get("severity") == "error":
            found.append(
                (
                    str(diagnostic.get("address", "")),
                    str(diagnostic.get("summary", "")),
                    str(diagnostic.get("detail", "")),
                )
            )
    unclaimed = [a for a in errored if a not in {address for address, _s, _d in found}]
    out = []
    for address, summary, detail in found:
        if not address and unclaimed:
            address = unclaimed.pop(0)
        out.append(ApplyFailure(address, summary, detail))
    return out


def aws_error(summary: str, detail: str = "") -> str:
    """The API's own words out of the provider's wrapping: "ResourceInUse: The target group ... is in use"
    from "deleting ELBv2 Target Group (arn): operation error ...: https response error StatusCode: 400,
    RequestID: ..., ResourceInUse: The target group ..."."""
    text = " ".join(f"{summary} {detail}".split())
    marker = "https response error StatusCode:"
    if marker in text:
        tail = text.split(marker, 1)[1]
        # "400, RequestID: <id>, <Code>: <message>"
        parts = tail.split(", ", 2)
        if len(parts) == 3:
            return parts[2].strip()
    return text
