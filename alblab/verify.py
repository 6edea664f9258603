"""The checks ``alblab check`` runs and the pytest plugin's assertions use, on any configuration.

Each check returns a ``Result`` whose ``detail`` a user can act on: which instance, which port, which SG
rule admits it, which rule matched instead, which targets answered in which order. Verdict checks read
only the API state (``Stack``); traffic checks send real requests through the data plane.
"""

from __future__ import annotations

import ipaddress
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from itertools import pairwise
from typing import TYPE_CHECKING, Literal

from alblab import present
from alblab.model import Action, Listener, Stack, TargetGroup
from alblab.verdicts.reach import InternetSource, alb_egress_destinations, can_reach
from alblab.verdicts.routing import Request, route
from alblab.verdicts.samples import describe, rule_reach

if TYPE_CHECKING:
    from alblab.dataplane import DataPlane, HttpResult

Status = Literal["pass", "fail", "skip"]
# A source address from TEST-NET-3: stands for "anyone on the internet" in the SG verdicts.
OUTSIDER = "203.0.113.10"
# Ports an instance must never open to the internet even when no target group uses them.
COMMON_PORTS = (22, 80, 443, 3389, 8080)


@dataclass
class Result:
    name: str
    status: Status
    detail: str = ""
    seconds: float = 0.0
    lines: list[str] = field(default_factory=list)  # one line per finding, for long reports

    @property
    def ok(self) -> bool:
        return self.status != "fail"


def timed(name: str, fn: Callable[[], Result]) -> Result:
    t0 = time.monotonic()
    result = fn()
    result.name = result.name or name
    result.seconds = round(time.monotonic() - t0, 2)
    return result


def _result(name: str, problems: list[str], passed: str, skipped: str = "") -> Result:
    if skipped and not problems:
        return Result(name, "skip", skipped)
    if problems:
        return Result(
            name,
            "fail",
            "; ".join(problems[:3]) + (f" (+{len(problems) - 3} more)" if len(problems) > 3 else ""),
            lines=problems,
        )
    return Result(name, "pass", passed)


# --- what the API state says ------------------------------------------------------------------------


def target_ports(stack: Stack, instance_id: str) -> set[int]:
    """Ports the ALB talks to on an instance: each registration's port and its health-check port."""
    ports: set[int] = set()
    for tg in stack.target_groups.values():
        for target in tg.targets:
            if target.id == instance_id:
                for port in (tg.port_of(target), tg.health_check_port(target)):
                    if port is not None:
                        ports.add(port)
    return ports


def instance_label(stack: Stack, instance_id: str) -> str:
    return present.target_label(stack, instance_id)


def no_public_instance_ports(stack: Stack, source_ip: str = OUTSIDER) -> Result:
    """No instance answers the internet on a target port or a common admin/web port."""
    problems = []
    for iid in sorted(stack.instances):
        for port in sorted(set(COMMON_PORTS) | target_ports(stack, iid)):
            verdict = can_reach(stack, InternetSource(source_ip), iid, port)
            if verdict.allowed:
                problems.append(
                    f"{instance_label(stack, iid)} port {port} is open to the internet: {verdict.reason}"
                )
    if not stack.instances:
        return Result("no instance port open to the internet", "skip", "the stack has no EC2 instances")
    return _result(
        "no instance port open to the internet",
        problems,
        f"{len(stack.instances)} instances: only the ALB reaches them",
    )


def alb_egress_only_to_targets(stack: Stack) -> Result:
    """The ALB's SGs may open connections only to targets, only on their ports."""
    problems = []
    members: dict[str, set[str]] = {}
    for inst in stack.instances.values():
        for gid in inst.security_group_ids:
            members.setdefault(gid, set()).add(inst.id)
    ip_ports: dict[str, set[int]] = {}
    for tg in stack.target_groups.values():
        for target in tg.targets:
            address = stack.address_of(tg, target)
            for port in (tg.port_of(target), tg.health_check_port(target)):
                if address and port is not None:
                    ip_ports.setdefault(address, set()).add(port)
    for dest in alb_egress_destinations(stack):
        ports = _range(dest.from_port, dest.to_port)
        if dest.any_address:
            problems.append(f"{dest.describe()}: the ALB may reach the whole internet")
            continue
        if dest.kind == "security-group":
            allowed = set().union(*(target_ports(stack, i) for i in members.get(dest.destination, set())))
        elif dest.kind == "cidr":
            network = ipaddress.ip_network(dest.destination, strict=False)
            inside = [ip for ip in ip_ports if ipaddress.ip_address(ip) in network]
            if network.num_addresses > 1:
                problems.append(
                    f"{dest.describe()}: a range wider than the targets in it ({', '.join(inside) or 'none'})"
                )
                continue
            allowed = set().union(*(ip_ports[ip] for ip in inside))
        else:
            continue  # prefix lists cannot be evaluated here; the reach verdicts say so where it matters
        extra = _outside(ports, allowed)
        if extra:
            problems.append(f"{dest.describe()}: opens {extra}, which no target uses")
    return _result(
        "ALB reaches only target ports", problems, "every egress rule of the ALB leads to a target port"
    )


def _range(low: int | None, high: int | None) -> range | None:
    if low is None or high is None or (low == -1 and high == -1):
        return None  # all ports
    return range(low, high + 1)


def _outside(ports: range | None, allowed: set[int]) -> str:
    if ports is None:
        return "all ports"
    extra = [p for p in ports if p not in allowed]
    if not extra:
        return ""
    if len(extra) > 4:
        return f"{len(extra)} ports ({extra[0]}-{extra[-1]})"
    return "port " + ", ".join(map(str, extra))


def forwarding_actions(listener: Listener) -> list[tuple[str, Action]]:
    """(where, action) for the rules and the default action that forward."""
    found = [(f"{present.listener_name(listener)} rule {r.priority}", r.action) for r in listener.rules]
    found.append((f"{present.listener_name(listener)} default", listener.default_action))
    return [(where, a) for where, a in found if a.type == "forward"]


def forwards_have_healthy_targets(stack: Stack) -> Result:
    problems = []
    groups = 0
    for listener in stack.load_balancer.listeners:
        for where, action in forwarding_actions(listener):
            for weighted in action.target_groups:
                tg = stack.target_groups.get(weighted.target_group_arn)
                groups += 1
                if tg is None:
                    problems.append(
                        f"{where}: forwards to {weighted.target_group_arn}, which the API does not list"
                    )
                elif not tg.targets:
                    problems.append(f"{where}: target group {tg.name} has no registered target")
                else:
                    bad = [
                        f"{present.target_label(stack, t.id)} {t.health}"
                        for t in tg.targets
                        if t.health != "healthy"
                    ]
                    if bad:
                        problems.append(f"{where}: target group {tg.name}: {', '.join(bad)}")
    return _result(
        "forwarded target groups have healthy targets",
        problems,
        f"{groups} forwarding actions, every target healthy",
        skipped="" if groups else "no listener forwards to a target group",
    )


def rules_reachable(stack: Stack) -> Result:
    problems = []
    count = 0
    for listener in stack.load_balancer.listeners:
        for rule in listener.rules:
            count += 1
            outcome = rule_reach(listener, rule)
            if not outcome.reached:
                problems.append(f"{present.listener_name(listener)} rule {rule.priority}: {outcome.reason}")
    return _result(
        "every rule reachable",
        problems,
        f"{count} rules, each answers a request of its own",
        skipped="" if count else "no listener rules",
    )


def verdicts(stack: Stack) -> list[Result]:
    checks: list[tuple[str, Callable[[], Result]]] = [
        ("no instance port open to the internet", lambda: no_public_instance_ports(stack)),
        ("ALB reaches only target ports", lambda: alb_egress_only_to_targets(stack)),
        ("forwarded target groups have healthy targets", lambda: forwards_have_healthy_targets(stack)),
        ("every rule reachable", lambda: rules_reachable(stack)),
    ]
    return [timed(name, fn) for name, fn in checks]


# --- what traffic does ------------------------------------------------------------------------------


def send(plane: DataPlane, listener: Listener, request: Request) -> HttpResult:
    query = "&".join(f"{k}={v}" for k, v in request.query)
    path = request.path + (f"?{query}" if query else "")
    headers = [f"{k}: {v}" for k, v in request.headers.items()]
    return plane.curl(path, request.method, request.host or None, headers, listener.port)


def answered_by(reply: HttpResult) -> str | None:
    """The target that answered, as the stand-in backend names itself: 'instance-or-ip:port'."""
    who, port = reply.field("instance"), reply.field("port")
    return f"{who}:{port}" if who and port else None


def registrations(stack: Stack, tg: TargetGroup) -> set[str]:
    return {f"{t.id}:{tg.port_of(t)}" for t in tg.targets}


def alternation(
    plane: DataPlane, stack: Stack, listener: Listener, request: Request, tg: TargetGroup, n: int
) -> tuple[bool, str]:
    """Do ``n`` requests go to the group's targets in turn? (ok, what answered in which order)."""
    expected = registrations(stack, tg)
    order = []
    for _ in range(n):
        reply = send(plane, listener, request)
        order.append(answered_by(reply) or f"{reply.status} from the ALB")
    names = [_short(stack, who) for who in order]
    seen = set(order)
    if seen != expected:
        missing = sorted(_short(stack, t) for t in expected - seen)
        strangers = sorted(_short(stack, t) for t in seen - expected)
        why = (f"never answered: {', '.join(missing)}" if missing else "") + (
            f"; not a target: {', '.join(strangers)}" if strangers else ""
        )
        return False, f"{describe(request)} x{n} answered by {' '.join(names)} ({why.strip('; ')})"
    k = len(expected)
    windows = [order[i : i + k] for i in range(0, n - k + 1)]
    if any(len(set(w)) != k for w in windows):
        repeats = [i + 1 for i, (a, b) in enumerate(pairwise(order)) if a == b]
        return (
            False,
            f"{describe(request)} x{n} not in turn: {' '.join(names)} "
            f"(repeats at request {', '.join(map(str, repeats)) or '-'})",
        )
    return True, f"{describe(request)} x{n}: {' '.join(names)}"


def _short(stack: Stack, who: str) -> str:
    target, _, port = who.rpartition(":")
    inst = stack.instances.get(target)
    return f"{inst.name or target}:{port}" if inst else who


def alternation_candidates(stack: Stack, listener: Listener) -> list[tuple[str, Request, TargetGroup, str]]:
    """(where, request, group, why-not) for each forward to one group with several targets."""
    out = []
    for probe in probes(listener):
        action, request = probe.action, probe.request
        if request is None or request.source_ip or action.type != "forward" or len(action.target_groups) != 1:
            continue
        tg = stack.target_groups.get(action.target_groups[0].target_group_arn)
        if tg is None or len(tg.targets) < 2:
            continue
        why = ""
        if tg.stickiness or action.stickiness_enabled:
            why = "stickiness is on"
        elif tg.algorithm == "weighted_random":
            why = "weighted_random does not take turns"
        out.append((probe.where, request, tg, why))
    return out


@dataclass(frozen=True)
class Probe:
    """An action of a listener and a request that reaches it (None when no plain request does)."""

    where: str
    action: Action
    request: Request | None
    source_cidrs: tuple[str, ...] = ()


def probes(listener: Listener) -> list[Probe]:
    """Each rule with a request that reaches it, then the default action with one that matches no rule."""
    out = []
    for rule in listener.rules:
        outcome = rule_reach(listener, rule)
        cidrs = tuple(v for c in rule.conditions if c.field == "source-ip" for v in c.values)
        where = f"{present.listener_name(listener)} rule {rule.priority}"
        out.append(Probe(where, rule.action, outcome.request if outcome.reached else None, cidrs))
    default = Request(path="/alblab-default-probe")
    reaches = route(listener, default).priority is None
    out.append(
        Probe(
            f"{present.listener_name(listener)} default",
            listener.default_action,
            default if reaches else None,
        )
    )
    return out


def servable(plane: DataPlane, stack: Stack) -> list[Listener]:
    """Listeners the data plane serves (an HTTPS listener whose private key is not here is left out)."""
    served = set(plane.listener_ports)
    return [listener for listener in stack.load_balancer.listeners if listener.port in served]


def takes_turns(plane: DataPlane, stack: Stack, n: int = 8) -> Result:
    name = "targets answer in turn"
    problems, passed, skipped = [], [], []
    for listener in servable(plane, stack):
        for where, request, tg, why in alternation_candidates(stack, listener):
            if why:
                skipped.append(f"{where}: {why}")
                continue
            ok, text = alternation(plane, stack, listener, request, tg, max(n, 2 * len(tg.targets)))
            (passed if ok else problems).append(f"{where}: {text}")
    if not problems and not passed:
        return Result(
            name, "skip", "; ".join(skipped) or "no action forwards to a group of two or more targets"
        )
    return _result(name, problems, "; ".join(passed))


def direct_access_blocked(plane: DataPlane, stack: Stack) -> Result:
    name = "direct access to instances blocked"
    attempts = [
        (iid, port)
        for iid in sorted(stack.instances)
        if stack.instances[iid].private_ip and stack.instances[iid].state in ("running", "pending")
        for port in sorted(target_ports(stack, iid) | {80})
    ]
    if not attempts:
        return Result(name, "skip", "no running instances")
    # A dropped connection shows only as a timeout (a second each): the attempts wait side by side.
    with ThreadPoolExecutor(max_workers=min(8, len(attempts))) as pool:
        outcomes = list(pool.map(lambda attempt: plane.probe(*attempt), attempts))
    problems = []
    for (iid, port), outcome in zip(attempts, outcomes, strict=True):
        if outcome != "blocked":
            verdict = can_reach(stack, InternetSource(plane.client_ip), iid, port)
            problems.append(
                f"{instance_label(stack, iid)} port {port}: {outcome} from the internet ({verdict.reason})"
            )
    return _result(name, problems, f"{len(attempts)} direct attempts from {plane.client_ip}, all dropped")


def expected_answer(stack: Stack, action: Action) -> str:
    return present.action(stack, action)


def answer_problem(stack: Stack, action: Action, reply: HttpResult) -> str | None:
    """None when ``reply`` is what ``action`` should give, else what differs."""
    if action.type == "forward":
        allowed: set[str] = set()
        for weighted in action.target_groups:
            tg = stack.target_groups.get(weighted.target_group_arn)
            if tg is not None:
                allowed |= registrations(stack, tg)
        who = answered_by(reply)
        if who in allowed:
            return None
        by = _short(stack, who) if who else "the ALB itself"
        return f"answered {reply.status} by {by} {reply.body[:60]!r}"
    if action.type == "fixed-response" and action.fixed_response:
        fixed = action.fixed_response
        if reply.status == fixed.status_code and reply.body.strip() == fixed.message_body.strip():
            return None
        return f"answered {reply.status} {reply.body[:60]!r}"
    if action.type == "redirect" and action.redirect:
        code = int(action.redirect.status_code.removeprefix("HTTP_"))
        if reply.status == code and reply.header("location"):
            return None
        return f"answered {reply.status} (location {reply.header('location')!r})"
    return None


def rules_answer(plane: DataPlane, stack: Stack) -> Result:
    name = "each rule answers as declared"
    problems, checked, skipped = [], 0, []
    for listener in servable(plane, stack):
        for probe in probes(listener):
            where, action, request = probe.where, probe.action, probe.request
            if request is None:
                skipped.append(f"{where}: no request reaches it")
                continue
            if probe.source_cidrs and not _contains(probe.source_cidrs, plane.client_ip):
                skipped.append(f"{where}: matches source IPs the client ({plane.client_ip}) is not in")
                continue
            checked += 1
            reply = send(plane, listener, request)
            problem = answer_problem(stack, action, reply)
            if problem:
                decision = route(
                    listener,
                    Request(
                        request.method,
                        request.host,
                        request.path,
                        request.headers,
                        request.query,
                        plane.client_ip,
                    ),
                )
                picked = "default" if decision.priority is None else f"rule {decision.priority}"
                hint = f" (the ALB's rules pick {picked})"
                problems.append(
                    f"{where}: {describe(request)} should {expected_answer(stack, action)}, {problem}{hint}"
                )
    if not checked:
        return Result(name, "skip", "; ".join(skipped) or "nothing to send")
    return _result(name, problems, f"{checked} requests, each answered as its rule declares")


def _contains(cidrs: Iterable[str], ip: str) -> bool:
    address = ipaddress.ip_address(ip)
    return any(address in ipaddress.ip_network(c, strict=False) for c in cidrs)


def client_ip_forwarded(plane: DataPlane, stack: Stack) -> Result:
    name = "client IP in X-Forwarded-For"
    mode = stack.load_balancer.attributes.get("routing.http.xff_header_processing.mode", "append")
    if mode != "append":
        return Result(name, "skip", f"xff_header_processing_mode is {mode}")
    for listener in servable(plane, stack):
        for probe in probes(listener):
            action, request = probe.action, probe.request
            if request is None or action.type != "forward" or probe.source_cidrs:
                continue
            reply = send(plane, listener, request)
            seen = reply.fields().get("x-forwarded-for", [])
            if any(plane.client_ip in line for line in seen):
                return Result(name, "pass", f"the target saw X-Forwarded-For: {', '.join(seen)}")
            return Result(
                name,
                "fail",
                f"{describe(request)}: the target saw X-Forwarded-For {seen or 'none'}, "
                f"not {plane.client_ip}",
            )
    return Result(name, "skip", "no action forwards to a target")


def traffic(plane: DataPlane, stack: Stack, n: int = 8) -> list[Result]:
    checks: list[tuple[str, Callable[[], Result]]] = [
        ("targets answer in turn", lambda: takes_turns(plane, stack, n)),
        ("direct access to instances blocked", lambda: direct_access_blocked(plane, stack)),
        ("each rule answers as declared", lambda: rules_answer(plane, stack)),
        ("client IP in X-Forwarded-For", lambda: client_ip_forwarded(plane, stack)),
    ]
    return [timed(name, fn) for name, fn in checks]
