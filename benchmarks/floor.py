"""The idle floor of an apply or destroy, from traces (``alblab.trace``): pure functions, no processes.

Each resource operation's wait is read from the aws provider's own debug log: the stretches of at least
``GAP`` seconds inside the operation (Terraform's ``apply_start``/``apply_complete``) in which none of its AWS
calls was in flight (the aws_lb waiter's 2 x 30 s, an instance's 10 s, ...). The floor is the longest path
through the resources' dependency order (the state's ``dependencies``) weighted by those waits, for the apply
and, in reverse order, for the destroy: what a check could not undercut with an infinitely fast machine and
emulator. A stretch of CPU work longer than ``GAP`` without an AWS call (a loaded machine) would count as a
wait too: the floor is then too high, never too low, by such stretches.
"""

from __future__ import annotations

import datetime
import json
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from alblab import tfevents

# A stretch without any AWS call in flight counts as the provider waiting when at least this long (its
# waiters sleep 2-30 s; shorter stretches are its CPU and Terraform's between calls).
GAP = 1.0
_INDEX = re.compile(r'\[(?:"[^"]*"|\d+)\]$')


@dataclass(frozen=True)
class Call:
    """One AWS call of the provider: when its answer came, how long it took, for which RPC and resource."""

    end: float
    seconds: float
    rpc: str
    req_id: str
    resource_type: str

    @property
    def start(self) -> float:
        return self.end - self.seconds


def _ts(text: str) -> float:
    return datetime.datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()


def provider_calls(lines: Iterable[str]) -> list[Call]:
    """The AWS calls in the provider's ``TF_LOG=DEBUG`` JSON lines (its "HTTP Response Received" entries)."""
    calls = []
    for line in lines:
        if '"HTTP Response Received"' not in line:
            continue
        try:
            d = json.loads(line)
        except json.JSONDecodeError:
            continue
        calls.append(
            Call(
                end=_ts(d["@timestamp"]),
                seconds=float(d.get("http.duration", 0)) / 1000,
                rpc=str(d.get("tf_rpc", "")),
                req_id=str(d.get("tf_req_id", "")),
                resource_type=str(d.get("tf_resource_type", "")),
            )
        )
    return calls


def resource_of(address: str) -> str:
    """``module.m["k"].aws_x.y["a"]`` -> ``module.m["k"].aws_x.y`` (what the state's dependencies name)."""
    return _INDEX.sub("", address)


def type_of(address: str) -> str:
    """``module.m["k"].aws_x.y["a"]`` -> ``aws_x``."""
    return resource_of(address).rsplit(".", 2)[-2]


def waits(ops: list[tfevents.ResourceOp], calls: list[Call]) -> dict[str, float]:
    """address -> seconds the provider waited inside that operation with none of its calls in flight."""
    by_rpc: dict[str, list[Call]] = defaultdict(list)
    for call in calls:
        if call.rpc == "ApplyResourceChange":
            by_rpc[call.req_id].append(call)
    # Each operation is one ApplyResourceChange RPC: give each RPC's calls to the operation of its resource
    # type whose window holds them and that started closest before the first of them.
    mine: dict[str, list[Call]] = defaultdict(list)
    for group in by_rpc.values():
        first, last = min(c.start for c in group), max(c.end for c in group)
        fits = [
            op
            for op in ops
            if op.end is not None
            and type_of(op.address) == group[0].resource_type
            and op.start - 0.05 <= first
            and last <= op.end + 0.05
        ]
        if fits:
            mine[max(fits, key=lambda op: op.start).address].extend(group)
    out = {}
    for op in ops:
        if op.end is None:
            continue
        busy = sorted((c.start, c.end) for c in mine.get(op.address, []))
        idle, at = 0.0, op.start
        for start, end in [*busy, (op.end, op.end)]:
            if start - at >= GAP:
                idle += start - at
            at = max(at, end)
        out[op.address] = idle
    return out


def dependencies(state: dict[str, Any]) -> dict[str, set[str]]:
    """instance address -> the resource addresses it depends on (managed resources only)."""
    out: dict[str, set[str]] = {}
    for resource in state.get("resources", []):
        if resource.get("mode") != "managed":
            continue
        prefix = f"{resource['module']}." if resource.get("module") else ""
        for instance in resource.get("instances", []):
            key = instance.get("index_key")
            index = "" if key is None else (f"[{key}]" if isinstance(key, int) else f'["{key}"]')
            out[f"{prefix}{resource['type']}.{resource['name']}{index}"] = set(
                instance.get("dependencies", [])
            )
    return out


def longest_path(
    deps: dict[str, set[str]], weight: dict[str, float], reverse: bool
) -> tuple[float, list[str]]:
    """The heaviest chain through the dependency order: creation follows ``deps``; destruction (``reverse``)
    runs against it (a resource goes only after everything that depends on it)."""
    instances: dict[str, list[str]] = defaultdict(list)
    for address in deps:
        instances[resource_of(address)].append(address)
    before: dict[str, set[str]] = {a: set() for a in deps}
    for address, needs in deps.items():
        for resource in needs:
            for other in instances.get(resource, []):
                if reverse:
                    before[other].add(address)
                else:
                    before[address].add(other)
    best: dict[str, tuple[float, list[str]]] = {}

    def walk(address: str) -> tuple[float, list[str]]:
        if address not in best:
            best[address] = (0.0, [])  # a cycle (never in a valid state) counts once
            heaviest = max((walk(b) for b in before[address]), default=(0.0, []), key=lambda t: t[0])
            best[address] = (heaviest[0] + weight.get(address, 0.0), [*heaviest[1], address])
        return best[address]

    return max((walk(a) for a in deps), default=(0.0, []), key=lambda t: t[0])


def percentile(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]
