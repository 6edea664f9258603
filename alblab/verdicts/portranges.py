"""Inclusive port intervals: the SG evaluator reasons on ranges instead of sweeping 65 536 ports."""

from __future__ import annotations

from collections.abc import Iterable

PortRange = tuple[int, int]  # inclusive on both ends
ALL_PORTS: PortRange = (0, 65535)


def merge(ranges: Iterable[PortRange]) -> tuple[PortRange, ...]:
    """Sorted, disjoint, non-adjacent ranges covering exactly the union of ``ranges``."""
    out: list[PortRange] = []
    for lo, hi in sorted(r for r in ranges if r[0] <= r[1]):
        if out and lo <= out[-1][1] + 1:
            out[-1] = (out[-1][0], max(out[-1][1], hi))
        else:
            out.append((lo, hi))
    return tuple(out)


def intersect(a: Iterable[PortRange], b: Iterable[PortRange]) -> tuple[PortRange, ...]:
    left, right = merge(a), merge(b)
    out: list[PortRange] = []
    i = j = 0
    while i < len(left) and j < len(right):
        lo = max(left[i][0], right[j][0])
        hi = min(left[i][1], right[j][1])
        if lo <= hi:
            out.append((lo, hi))
        # Advance whichever interval ends first; the other may still overlap the next one.
        if left[i][1] < right[j][1]:
            i += 1
        else:
            j += 1
    return merge(out)


def subtract(a: Iterable[PortRange], b: Iterable[PortRange]) -> tuple[PortRange, ...]:
    out: list[PortRange] = []
    cuts = merge(b)
    for lo, hi in merge(a):
        start = lo
        for c_lo, c_hi in cuts:
            if c_hi < start or c_lo > hi:
                continue
            if c_lo > start:
                out.append((start, c_lo - 1))
            start = max(start, c_hi + 1)
        if start <= hi:
            out.append((start, hi))
    return merge(out)


def contains(ranges: Iterable[PortRange], port: int) -> bool:
    return any(lo <= port <= hi for lo, hi in ranges)


def size(ranges: Iterable[PortRange]) -> int:
    return sum(hi - lo + 1 for lo, hi in merge(ranges))


def describe(ranges: Iterable[PortRange]) -> str:
    merged = merge(ranges)
    if not merged:
        return "none"
    return ", ".join(str(lo) if lo == hi else f"{lo}-{hi}" for lo, hi in merged)
