"""The data plane following the AWS API while Terraform changes it: read, and converge on every new state.

A ``Follower`` polls the stack from the API in a thread of its own (cheap against the emulator) and converges
the plane whenever it reads a state it has not rendered yet, so live traffic meets each state the API passes
through (as far as the polls see them), not only the last one. A read spans many calls and the API changes
under it, so a state is taken only when two reads in a row agree: a read torn between two states (a listener
still on the old group, the security groups already without its port) never reaches the plane.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from alblab.model import Stack

if TYPE_CHECKING:
    from alblab.dataplane import DataPlane


@dataclass(frozen=True)
class Converged:
    """The plane took a new state: seen at ``t`` (seconds since the epoch), rendered in ``took`` seconds."""

    t: float
    took: float
    changes: tuple[str, ...]


@dataclass
class FollowLog:
    converged: list[Converged] = field(default_factory=list)
    reads: int = 0
    unreadable: int = 0  # reads that failed (a resource gone between two calls) and were tried again
    problems: list[str] = field(default_factory=list)  # converges that failed


def changes(old: Stack, new: Stack) -> list[str]:
    """What differs between two states, in a few words each (for the timeline of the change)."""
    out = []
    names = {tg.arn: tg.name for tg in [*old.target_groups.values(), *new.target_groups.values()]}
    for arn in sorted(new.target_groups.keys() - old.target_groups.keys(), key=lambda a: names[a]):
        out.append(f"target group {names[arn]} in use")
    for arn in sorted(old.target_groups.keys() - new.target_groups.keys(), key=lambda a: names[a]):
        out.append(f"target group {names[arn]} out of use")
    for arn in sorted(old.target_groups.keys() & new.target_groups.keys(), key=lambda a: names[a]):
        was, now = old.target_groups[arn], new.target_groups[arn]
        if {(t.id, t.port) for t in was.targets} != {(t.id, t.port) for t in now.targets}:
            out.append(f"target group {names[arn]}: targets {len(was.targets)} -> {len(now.targets)}")
    before = {lst.port: lst for lst in old.load_balancer.listeners}
    after = {lst.port: lst for lst in new.load_balancer.listeners}
    for port in sorted(set(before) | set(after)):
        a, b = before.get(port), after.get(port)
        if a is None or b is None:
            out.append(f"listener {port} {'added' if a is None else 'removed'}")
        elif a.default_action != b.default_action:
            out.append(f"listener {port}: default action")
        if a is not None and b is not None and a.rules != b.rules:
            out.append(f"listener {port}: rules")
        if a is not None and b is not None and a.certificate_arns != b.certificate_arns:
            out.append(f"listener {port}: certificates")
    for gid in sorted(set(old.security_groups) | set(new.security_groups)):
        was_group, now_group = old.security_groups.get(gid), new.security_groups.get(gid)
        if was_group is None or now_group is None:
            continue
        for direction in ("ingress", "egress"):
            rules_was, rules_now = set(getattr(was_group, direction)), set(getattr(now_group, direction))
            added, removed = len(rules_now - rules_was), len(rules_was - rules_now)
            if added or removed:
                out.append(f"{now_group.name} {direction}: +{added} -{removed} rules")
    return out or ["attributes"]


class Follower:
    def __init__(self, read: Callable[[], Stack], plane: DataPlane, interval: float = 0.05) -> None:
        self.read = read
        self.plane = plane
        self.interval = interval
        self.log = FollowLog()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self._rendered = repr(plane.stack)
        self._last = ""  # what the previous read gave

    def start(self) -> Follower:
        self._thread = threading.Thread(target=self._run, name="alblab-follow", daemon=True)
        self._thread.start()
        return self

    def _run(self) -> None:
        while not self._stop.is_set():
            self.step()
            self._stop.wait(self.interval)

    def step(self) -> bool:
        """One read; converge when it agrees with the read before and the plane shows something else.
        True when the plane shows what the API holds now."""
        with self._lock:
            self.log.reads += 1
            try:
                stack = self.read()
            except Exception:  # a resource deleted between two calls of one read: read again
                self.log.unreadable += 1
                self._last = ""
                return False
            seen = repr(stack)
            stable, self._last = seen == self._last, seen
            if seen == self._rendered:
                return stable
            if not stable:
                return False
            t = time.time()
            old = self.plane.stack
            try:
                self.plane.converge(stack)
            except Exception as exc:  # reported with the change; the next new state is tried again
                self.log.problems.append(f"{time.strftime('%H:%M:%S')}: converge failed: {exc}")
            self._rendered = seen
            self.log.converged.append(Converged(t, round(time.time() - t, 3), tuple(changes(old, stack))))
            return True

    def settle(self, timeout: float = 30.0) -> bool:
        """After the change: poll until the plane shows what the API holds (two agreeing reads)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.step():
                return True
            time.sleep(self.interval)
        return False

    def stop(self) -> FollowLog:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=120)
            self._thread = None
        return self.log
