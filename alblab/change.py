"""A change applied over a running stack, as a pull request would apply it: the upgrade path and what it does.

``apply_change(handle, source, variables, ...)`` takes a stack already applied (the base), reads it, starts a
bounded request loop through its data plane and a ``Follower`` that converges the plane on every state the
API passes through, applies the new configuration over the SAME Terraform state (so replacements, ordering
and in-use errors happen as on AWS), reads the stack again and reports:

- whether the change applied, and if not the AWS error and the resource;
- the routing diff (requests built from both versions' rules: before, after, the deciding rule);
- the reachability diff (what opens and what closes, port and peer);
- errors while it applied: answers neither version gives and failed connections, grouped in windows with the
  resource changes Terraform ran at that moment (``apply -json``'s per-resource events).

The data plane stays up afterwards (converged to the new state) for the caller's traffic checks.
"""

from __future__ import annotations

import fnmatch
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from alblab import present, tfevents, verify
from alblab.follow import Follower, FollowLog
from alblab.model import Action, Listener, Stack
from alblab.state import read_stack
from alblab.terraform import TerraformError
from alblab.tfevents import ApplyFailure, ResourceOp
from alblab.verdicts import diff
from alblab.verdicts.diff import ReachChange, RouteChange
from alblab.verdicts.routing import Request, route
from alblab.verdicts.samples import describe
from alblab.verify import Result

if TYPE_CHECKING:
    from alblab.dataplane import Attempt, DataPlane, LoopRequest
    from alblab.session import StackHandle

Say = Callable[[str], None]
# Failed requests further apart than this belong to separate windows.
WINDOW_GAP_S = 2.0
# Without a new state of the data plane before a window: how long before it an operation may have ended and
# still be named as what led to it.
CAUSE_LOOKBACK_S = 1.0
# The loop runs this long before the apply starts: failures then are the base's, not the change's.
BASELINE_S = 1.0
TG_SUFFIX = ".aws_lb_target_group.this"


# --- the report ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ErrorWindow:
    start: float  # seconds after the apply started
    end: float
    failed: int
    kinds: tuple[tuple[str, int], ...]  # ("503", 4), ("connection refused", 1)
    during: tuple[str, ...]  # resource changes running in the window
    after: tuple[str, ...]  # the last ones that finished just before it

    def describe(self) -> str:
        kinds = ", ".join(f"{kind} x{n}" for kind, n in self.kinds)
        span = (
            f"+{self.start:.1f} s"
            if self.end - self.start < 0.05
            else f"+{self.start:.1f}..+{self.end:.1f} s"
        )
        text = f"{self.failed} failed ({kinds}) at {span} of the apply"
        if self.during:
            text += f", while Terraform ran: {'; '.join(self.during)}"
        if self.after:
            text += f"; just after: {'; '.join(self.after)}"
        return text


@dataclass
class Traffic:
    """The request loop's findings: requests sent during the change and those no version explains."""

    requests: list[str]  # the loop's requests, in words
    sent: int = 0
    baseline_failed: int = 0  # failures before the apply started
    failed: list[tuple[float, str, str]] = field(default_factory=list)  # (t since apply start, request, why)
    windows: list[ErrorWindow] = field(default_factory=list)

    @property
    def failed_connections(self) -> int:
        return sum(1 for _t, _r, why in self.failed if not why.isdigit())

    @property
    def bad_answers(self) -> int:
        return sum(1 for _t, _r, why in self.failed if why.isdigit())


@dataclass
class ChangeReport:
    base: str
    change: str
    applied: bool = False
    error: str = ""  # Terraform's message when the change did not apply
    failures: list[ApplyFailure] = field(default_factory=list)
    operations: list[ResourceOp] = field(default_factory=list)
    routing: list[RouteChange] = field(default_factory=list)
    target_groups: list[str] = field(default_factory=list)
    reach: list[ReachChange] = field(default_factory=list)
    traffic: Traffic | None = None
    traffic_skipped: str = ""  # why no traffic was sent during the change
    follow: FollowLog | None = None
    apply_seconds: float = 0.0
    # What an assertion that needs traffic does when none was sent (the plugin skips the test).
    unchecked: Callable[[str], None] | None = None

    # --- the plugin's assertions -------------------------------------------------------------------------

    def assert_applies(self) -> None:
        assert self.applied, "the change did not apply:\n  " + "\n  ".join(self.failure_lines())

    def assert_routes_unchanged(self, except_: Iterable[str] | str = ()) -> None:
        """Every request lands where it landed before, except those whose path matches a glob in
        ``except_`` (e.g. ``"/maintenance*"``)."""
        allowed = [except_] if isinstance(except_, str) else list(except_)
        moved = [c for c in self.routing if not any(fnmatch.fnmatchcase(c.request.path, p) for p in allowed)]
        assert not moved, f"{len(moved)} request(s) land elsewhere after the change:\n  " + "\n  ".join(
            c.describe() for c in moved
        )

    def assert_no_errors_during_change(self) -> None:
        if self.traffic is None:
            why = f"no traffic was sent during the change: {self.traffic_skipped}"
            if self.unchecked is not None:
                self.unchecked(why)
            raise AssertionError(why)
        assert not self.traffic.failed, (
            f"{len(self.traffic.failed)} of {self.traffic.sent} requests failed while the change applied:\n  "
            + "\n  ".join(w.describe() for w in self.traffic.windows)
        )

    # --- words -------------------------------------------------------------------------------------------

    def failure_lines(self) -> list[str]:
        lines = [f.describe() for f in self.failures]
        return lines or [self.error or "unknown error"]

    def summary_of_operations(self) -> str:
        counts = Counter(op.action for op in self.operations)
        parts = [f"{n} {action}" for action, n in sorted(counts.items())]
        return ", ".join(parts) or "no resource changed"

    def results(self) -> list[Result]:
        """The change's checks, for ``alblab check --base``: applies, errors during it, the two diffs."""
        out = []
        if self.applied:
            out.append(
                Result(
                    "change applies",
                    "pass",
                    f"{self.summary_of_operations()} ({self.apply_seconds:.0f} s)",
                    self.apply_seconds,
                )
            )
        else:
            lines = self.failure_lines()
            out.append(Result("change applies", "fail", lines[0], self.apply_seconds, lines=lines))
        name = "no errors while the change applies"
        if self.traffic is None:
            out.append(Result(name, "skip", f"no traffic sent: {self.traffic_skipped}"))
        elif self.traffic.failed:
            t = self.traffic
            detail = (
                f"{len(t.failed)} of {t.sent} requests failed ({t.bad_answers} answers neither version "
                f"gives, {t.failed_connections} failed connections)"
            )
            out.append(Result(name, "fail", detail, lines=[w.describe() for w in t.windows]))
        else:
            t = self.traffic
            out.append(
                Result(name, "pass", f"{t.sent} requests, each answered as before or after the change")
            )
        if self.traffic is not None and self.traffic.baseline_failed:
            # Not the change's doing, but a reader must know the loop met failures before it began.
            out[-1].detail += f" ({self.traffic.baseline_failed} failed already before the apply began)"
        routing = [c.describe() for c in self.routing]
        out.append(
            Result(
                "routing diff",
                "pass",
                f"{len(routing)} request(s) land elsewhere" if routing else "every request lands as before",
                lines=routing + self.target_groups,
            )
        )
        reach = [c.describe() for c in self.reach]
        out.append(
            Result(
                "reachability diff",
                "pass",
                f"{len(reach)} change(s)" if reach else "nothing opens or closes",
                lines=reach,
            )
        )
        return out

    def text(self) -> str:
        """The diffs and the timeline as tables, for the terminal."""
        parts = []
        if self.routing:
            rows = [["request", "before", "after"], *(c.row() for c in self.routing)]
            parts.append("routing diff:\n" + _indent(present.table(rows)))
        if self.target_groups:
            parts.append("target groups:\n" + _indent("\n".join(self.target_groups)))
        if self.reach:
            rows = [["change", "destination", "ports", "peer"], *(c.row() for c in self.reach)]
            parts.append("reachability diff:\n" + _indent(present.table(rows)))
        if self.traffic is not None and self.traffic.windows:
            parts.append(
                "errors while the change applied:\n"
                + _indent("\n".join(w.describe() for w in self.traffic.windows))
            )
        if not self.applied:
            parts.append("the change did not apply:\n" + _indent("\n".join(self.failure_lines())))
        return "\n\n".join(parts)

    def to_json(self) -> dict[str, Any]:
        traffic = None
        if self.traffic is not None:
            t = self.traffic
            traffic = {
                "requests": t.requests,
                "sent": t.sent,
                "failed": len(t.failed),
                "failed_connections": t.failed_connections,
                "bad_answers": t.bad_answers,
                "failed_before_the_apply": t.baseline_failed,
                "windows": [w.describe() for w in t.windows],
            }
        return {
            "base": self.base,
            "change": self.change,
            "applied": self.applied,
            "errors": [{"address": f.address, "error": f.describe()} for f in self.failures]
            or ([{"address": "", "error": self.error}] if self.error else []),
            "operations": [
                {"address": op.address, "action": op.action, "outcome": op.outcome} for op in self.operations
            ],
            "routing_diff": [
                {
                    "listener": c.port,
                    "request": describe(c.request),
                    "before": c.before.answer,
                    "before_rule": c.before.rule,
                    "after": c.after.answer,
                    "after_rule": c.after.rule,
                }
                for c in self.routing
            ],
            "target_groups": self.target_groups,
            "reachability_diff": [
                {"change": c.change, "destination": c.destination, "ports": c.ports, "peer": c.peer}
                for c in self.reach
            ],
            "traffic_during_change": traffic,
            "traffic_skipped": self.traffic_skipped,
            "data_plane_states": len(self.follow.converged) if self.follow else 0,
        }


def _indent(text: str) -> str:
    return "\n".join(f"  {line}" for line in text.splitlines())


# --- labels that survive a replacement -------------------------------------------------------------------


def target_group_labels(resources: Iterable[dict[str, Any]]) -> dict[str, str]:
    """ARN -> the target group's Terraform address (a replaced group keeps its address, not its ARN):
    ``target_group["web"]`` for this module's groups, the full address for others."""
    labels = {}
    for resource in resources:
        if resource.get("type") not in ("aws_lb_target_group", "aws_alb_target_group"):
            continue
        arn = str((resource.get("values") or {}).get("arn") or "")
        address = str(resource["address"])
        if address.endswith(TG_SUFFIX):
            address = address.removesuffix(TG_SUFFIX).rsplit("module.", 1)[-1]
        if arn:
            labels[arn] = address
    return labels


def target_group_changes(
    before: Stack, after: Stack, labels_before: dict[str, str], labels_after: dict[str, str]
) -> list[str]:
    """Target groups whose name, port, protocol or type changed (replaced), or that came or went."""

    def view(stack: Stack, labels: dict[str, str]) -> dict[str, str]:
        return {
            labels.get(tg.arn, tg.name): f"{tg.name} {tg.target_type} {tg.protocol or '-'}:{tg.port or '-'}"
            for tg in stack.target_groups.values()
        }

    was, now = view(before, labels_before), view(after, labels_after)
    lines = []
    for label in sorted(set(was) | set(now)):
        if label not in now:
            lines.append(f"{label}: {was[label]} -> out of use")
        elif label not in was:
            lines.append(f"{label}: new, {now[label]}")
        elif was[label] != now[label]:
            lines.append(f"{label}: {was[label]} -> {now[label]}")
    return lines


# --- the request loop's requests and verdicts ------------------------------------------------------------


def loop_requests(plane: DataPlane, stack: Stack) -> list[tuple[LoopRequest, int, Request]]:
    """(loop request, listener port, evaluator request) for each rule and default action a plain request
    from the client reaches, on every listener the plane serves."""
    from alblab.dataplane import LoopRequest

    out = []
    for listener in verify.servable(plane, stack):
        for probe in verify.probes(listener):
            request = probe.request
            if request is None or probe.source_cidrs:
                continue
            query = "&".join(f"{k}={v}" for k, v in request.query)
            path = request.path + (f"?{query}" if query else "")
            loop_request = LoopRequest(
                listener.port, request.method, path, request.host, tuple(request.headers.items())
            )
            out.append((loop_request, listener.port, request))
    return out


def accepted(action: Action) -> set[int]:
    """The statuses an action gives: 2xx for a forward (the stand-in answers 200), the fixed code, the
    redirect's code."""
    if action.type == "forward":
        return set(range(200, 300))
    if action.type == "fixed-response" and action.fixed_response:
        return {action.fixed_response.status_code}
    if action.type == "redirect" and action.redirect:
        return {int(action.redirect.status_code.removeprefix("HTTP_"))}
    return set()


def _listener(stack: Stack | None, port: int) -> Listener | None:
    if stack is None:
        return None
    return next((lst for lst in stack.load_balancer.listeners if lst.port == port), None)


def judge(
    attempts: list[Attempt],
    requests: list[tuple[LoopRequest, int, Request]],
    before: Stack,
    after: Stack | None,
    client_ip: str,
    apply_start: float,
    operations: list[ResourceOp],
    states: Iterable[float] = (),
) -> Traffic:
    """Each attempt during the change against what either version answers; failures grouped in windows
    (``states``: when the data plane took each new state)."""
    allowed: list[set[int]] = []
    for _loop, port, request in requests:
        seen_from = Request(
            request.method, request.host, request.path, request.headers, request.query, client_ip
        )
        ok: set[int] = set()
        for stack in (before, after):
            listener = _listener(stack, port)
            if listener is not None:
                ok |= accepted(route(listener, seen_from).action)
        allowed.append(ok)
    words = [f":{port} {describe(request)}" for _loop, port, request in requests]
    traffic = Traffic(words)
    for attempt in attempts:
        good = attempt.status in allowed[attempt.index]
        if attempt.t < apply_start:
            traffic.baseline_failed += not good
            continue
        traffic.sent += 1
        if not good:
            why = str(attempt.status) if attempt.status else attempt.error or "no answer"
            traffic.failed.append((attempt.t - apply_start, words[attempt.index], why))
    traffic.windows = windows(traffic.failed, operations, apply_start, states)
    return traffic


def windows(
    failed: list[tuple[float, str, str]],
    operations: list[ResourceOp],
    apply_start: float,
    states: Iterable[float] = (),
) -> list[ErrorWindow]:
    """Failures closer than ``WINDOW_GAP_S`` in one window, each with the resource changes running then and
    those that led to it: the ones that finished between the data plane's two last new states before the
    window (``states``: when it took each), else in the second before it."""
    taken = sorted(states)
    groups: list[list[tuple[float, str, str]]] = []
    for item in sorted(failed):
        if groups and item[0] - groups[-1][-1][0] <= WINDOW_GAP_S:
            groups[-1].append(item)
        else:
            groups.append([item])
    out = []
    for group in groups:
        start, end = group[0][0], group[-1][0]
        ops = [(op.start - apply_start, (op.end or float("inf")) - apply_start, op) for op in operations]
        during = [op.describe() for s, e, op in ops if s <= end and e >= start]
        earlier = [t - apply_start for t in taken if t - apply_start <= start]
        low, high = start - CAUSE_LOOKBACK_S, start
        if earlier:
            high = earlier[-1]
            low = earlier[-2] if len(earlier) > 1 else min(0.0, high - CAUSE_LOOKBACK_S)
        led = sorted(
            (e, op.describe()) for s, e, op in ops if low < e <= high and op.describe() not in during
        )
        kinds = Counter(why for _t, _r, why in group)
        out.append(
            ErrorWindow(
                start,
                end,
                len(group),
                tuple(kinds.most_common()),
                tuple(during),
                tuple(d for _e, d in led[-5:]),
            )
        )
    return out


# --- running it ------------------------------------------------------------------------------------------


def apply_change(
    handle: StackHandle,
    source: str | Path | None = None,
    variables: dict[str, Any] | None = None,
    *,
    base_label: str = "",
    plane_problem: str | None = None,
    say: Say | None = None,
) -> ChangeReport:
    """Apply ``source`` (and/or ``variables``) over ``handle``'s applied stack and report what the change
    did. ``plane_problem``: why no data plane runs here (then no traffic is sent during the change)."""
    say = say or (lambda _m: None)
    before = handle.read()
    labels_before = target_group_labels(handle.resources())
    report = ChangeReport(
        base=base_label or str(handle.source),
        change=str(source or handle.source) + (f" with {sorted(variables)}" if variables else ""),
    )
    plane: DataPlane | None = None
    requests: list[tuple[LoopRequest, int, Request]] = []
    if plane_problem:
        report.traffic_skipped = plane_problem
    else:
        say("data plane of the base: building it (namespaces, nftables, HAProxy)")
        plane = handle.plane(before)
        plane.wait_all_healthy()
        requests = loop_requests(plane, before)
        if not requests:
            report.traffic_skipped = (
                "no listener rule or default action a plain request from the client reaches"
            )
    events: list[dict[str, Any]] = []
    loop = follower = None
    apply_start = time.time()
    try:
        if plane is not None and requests:
            from alblab.dataplane import RequestLoop

            loop = RequestLoop(plane, [r for r, _p, _q in requests]).start()
            follower = Follower(reader(handle), plane).start()
            time.sleep(BASELINE_S)
        apply_start = time.time()
        try:
            events = handle.apply_over(source, variables)
            report.applied = True
        except TerraformError as exc:
            events = exc.events
            report.error = f"{exc.args[0]}: {exc.detail}".strip() if exc.detail else str(exc.args[0])
        report.apply_seconds = round(time.time() - apply_start, 1)
        report.operations = tfevents.operations(events)
        report.failures = tfevents.failures(events)
        if follower is not None:
            follower.stop()
            say("data plane: following the API to the state after the change")
            if not follower.settle():
                follower.log.problems.append("the data plane did not settle on the state after the change")
    finally:
        attempts = loop.stop() if loop is not None else []
        if follower is not None:
            report.follow = follower.stop()
    after = _read_after(handle, report)
    if loop is not None and plane is not None:
        states = [c.t for c in report.follow.converged] if report.follow else []
        report.traffic = judge(
            attempts, requests, before, after, plane.client_ip, apply_start, report.operations, states
        )
    if after is not None:
        labels_after = target_group_labels(handle.resources())
        label_before, label_after = diff.labels(before, labels_before), diff.labels(after, labels_after)
        report.routing = diff.routing_diff(before, after, label_before, label_after)
        report.target_groups = target_group_changes(before, after, labels_before, labels_after)
        report.reach = diff.reach_diff(before, after)
    return report


def reader(handle: StackHandle) -> Callable[[], Stack]:
    """Reads of the stack for a poller: one set of API clients for all of them (making clients costs more
    than a read against the emulator)."""
    clients = handle.clients()
    return lambda: read_stack(clients, arn=handle.lb.arn)


def _read_after(handle: StackHandle, report: ChangeReport) -> Stack | None:
    """The stack after the change (also after a failed one: the state it was left in)."""
    try:
        if report.applied:
            handle.select_lb()
        return handle.read()
    except Exception as exc:  # the load balancer itself may be gone half-way through a failed change
        report.error = report.error or f"the stack could not be read after the change: {exc}"
        return None
