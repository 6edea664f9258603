"""What a change does, from the model of the stack before and after it: where requests land, who reaches what.

Routing: every request built from both versions' rules (each rule's plain sample with every wildcard filling
the evaluator tries, one for each pair of rules a request can satisfy at once, and one that matches no rule)
is routed through both listeners; a request whose answer
changes is reported with the rule that decides it before and after. Target groups are compared by a stable
label (the caller's, e.g. the Terraform address), since a replaced group has a new ARN but is the same group.

Reachability: the ports each instance opens to the internet and to the ALB (SG verdicts, both sides), and
the sources and ports each ALB security group admits; what a change opens and what it closes.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from alblab.model import Action, Listener, Rule, Stack
from alblab.verdicts import portranges
from alblab.verdicts.conditions import mismatch
from alblab.verdicts.portranges import PortRange
from alblab.verdicts.reach import GroupSource, InternetSource, Source, open_ports
from alblab.verdicts.routing import Request, route
from alblab.verdicts.samples import STARS, describe, sample_request
from alblab.verdicts.sgmatch import normalize_protocol, rule_peer_text, rule_ports

# A path no rule is meant to match: it lands on the default action unless a catch-all rule takes it.
DEFAULT_PROBE = "/alblab-default-probe"
# Stands for "anyone on the internet" (TEST-NET-3), as in the plain check's verdicts.
OUTSIDER = "203.0.113.10"

Label = Callable[[str], str]


# --- routing ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Outcome:
    """What one version of a listener does with a request: the deciding rule and the answer."""

    rule: str  # "rule 10" | "default" | "no listener"
    answer: str  # in words, target groups by their labels
    key: tuple[object, ...]  # equal keys: the same answer

    def describe(self) -> str:
        return f"{self.answer} ({self.rule})" if self.rule != "no listener" else "no listener"


@dataclass(frozen=True)
class RouteChange:
    port: int
    request: Request
    before: Outcome
    after: Outcome

    @property
    def request_text(self) -> str:
        return f":{self.port} {describe(self.request)}"

    def row(self) -> list[str]:
        return [self.request_text, self.before.describe(), self.after.describe()]

    def describe(self) -> str:
        return f"{self.request_text}: {self.before.describe()} -> {self.after.describe()}"


def requests_for(rules: Iterable[Rule]) -> list[Request]:
    """Each rule's samples (every wildcard filling the evaluator tries), a request for each pair of rules
    that one request can satisfy together (where a new rule takes traffic another one had: a host rule
    and a path rule), and one request that matches no rule."""
    rules = list(rules)
    seen: dict[str, Request] = {}
    for rule in rules:
        for star in STARS:
            request = sample_request(rule, star)
            seen.setdefault(describe(request), request)
    for i, first in enumerate(rules):
        for second in rules[i + 1 :]:
            request = _satisfying_both(first, second)
            if request is not None:
                seen.setdefault(describe(request), request)
    probe = Request(path=DEFAULT_PROBE)
    seen.setdefault(describe(probe), probe)
    return list(seen.values())


def _satisfying_both(first: Rule, second: Rule) -> Request | None:
    both = dataclasses.replace(first, conditions=first.conditions + second.conditions)
    request = sample_request(both)
    if any(mismatch(c, request) is not None for c in both.conditions):
        return None  # the two rules ask for different values of one field
    return request


def answer(action: Action, label: Label) -> tuple[str, tuple[object, ...]]:
    """An action in words and as a comparable key (target groups by label, not ARN)."""
    if action.type == "forward":
        groups = sorted((label(g.target_group_arn), g.weight) for g in action.target_groups)
        sticky = (action.stickiness_enabled, action.stickiness_duration if action.stickiness_enabled else 0)
        if len(groups) == 1:
            words = f"forward {groups[0][0]}"
        else:
            words = "forward " + ", ".join(f"{name}:{weight}" for name, weight in groups)
        words += f" sticky {sticky[1]}s" if sticky[0] else ""
        return words, ("forward", tuple(groups), sticky)
    if action.type == "fixed-response" and action.fixed_response:
        f = action.fixed_response
        return f"fixed {f.status_code} {f.message_body[:30]!r}", (
            "fixed",
            f.status_code,
            f.content_type,
            f.message_body,
        )
    if action.type == "redirect" and action.redirect:
        r = action.redirect
        words = f"redirect {r.status_code} {r.protocol}://{r.host}:{r.port}{r.path}?{r.query}"
        return words, ("redirect", r.status_code, r.protocol, r.host, r.port, r.path, r.query)
    return action.type, (action.type,)


def outcome(listener: Listener | None, request: Request, label: Label) -> Outcome:
    if listener is None:
        return Outcome("no listener", "no listener", ("none",))
    decision = route(listener, request)
    words, key = answer(decision.action, label)
    return Outcome("default" if decision.priority is None else f"rule {decision.priority}", words, key)


def by_name(stack: Stack) -> Label:
    names = {tg.arn: tg.name for tg in stack.target_groups.values()}
    return lambda arn: names.get(arn, arn)


def routing_diff(
    before: Stack, after: Stack, label_before: Label | None = None, label_after: Label | None = None
) -> list[RouteChange]:
    """Requests whose answer differs after the change, by listener port (a listener added or removed
    answers "no listener" on the other side)."""
    label_before = label_before or by_name(before)
    label_after = label_after or by_name(after)
    listeners_before = {lst.port: lst for lst in before.load_balancer.listeners}
    listeners_after = {lst.port: lst for lst in after.load_balancer.listeners}
    changes = []
    for port in sorted(set(listeners_before) | set(listeners_after)):
        old, new = listeners_before.get(port), listeners_after.get(port)
        rules = [*(old.rules if old else ()), *(new.rules if new else ())]
        for request in requests_for(rules):
            was, now = outcome(old, request, label_before), outcome(new, request, label_after)
            if was.key != now.key:
                changes.append(RouteChange(port, request, was, now))
    return changes


# --- reachability ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReachChange:
    change: str  # "opened" | "closed"
    destination: str
    ports: str  # e.g. "tcp/8080", "tcp/8000-8100, 9000"
    peer: str

    def row(self) -> list[str]:
        return [self.change, self.destination, self.ports, self.peer]

    def describe(self) -> str:
        preposition = "to" if self.change == "opened" else "for"
        return f"{self.destination} {self.ports} {self.change} {preposition} {self.peer}"


# (destination, peer, protocol) -> ports open
Facts = dict[tuple[str, str, str], tuple[PortRange, ...]]


def _group_label(stack: Stack, gid: str) -> str:
    group = stack.security_groups.get(gid)
    return f"security group {group.name}" if group else gid


def _instance_label(stack: Stack, iid: str) -> str:
    instance = stack.instances[iid]
    return f"instance {instance.name}" if instance.name else f"instance {iid}"


def reach_facts(stack: Stack) -> Facts:
    """What may connect where, by port ranges: the internet and the ALB to each running instance, and each
    source an ALB security group admits."""
    facts: Facts = {}
    alb_groups = stack.load_balancer.security_group_ids
    sources: list[tuple[str, Source]] = [(f"the internet ({OUTSIDER})", InternetSource(OUTSIDER))]
    if alb_groups:
        sources.append(("the ALB", GroupSource(alb_groups[0])))
    for iid, instance in sorted(stack.instances.items()):
        if instance.state not in ("running", "pending"):
            continue
        for peer, source in sources:
            ports = open_ports(stack, source, iid).ranges
            if ports:
                facts[(_instance_label(stack, iid), peer, "tcp")] = ports
    for gid in alb_groups:
        group = stack.security_groups.get(gid)
        for rule in group.ingress if group else ():
            protocol = normalize_protocol(rule.protocol)
            peer = (
                _group_label(stack, rule.referenced_group_id)
                if rule.referenced_group_id
                else rule_peer_text(rule)
            )
            key = (f"the ALB ({_group_label(stack, gid).removeprefix('security group ')})", peer, protocol)
            facts[key] = portranges.merge([*facts.get(key, ()), *rule_ports(rule, protocol)])
    return facts


def _ports(protocol: str, ranges: tuple[PortRange, ...]) -> str:
    if protocol == "-1":
        return "all traffic"
    if ranges == (portranges.ALL_PORTS,):
        return f"{protocol}/all"
    return f"{protocol}/{portranges.describe(ranges)}"


def reach_diff(before: Stack, after: Stack) -> list[ReachChange]:
    """What the change opens and what it closes, per destination, peer and port range."""
    old, new = reach_facts(before), reach_facts(after)
    changes = []
    for key in sorted(set(old) | set(new)):
        destination, peer, protocol = key
        was, now = old.get(key, ()), new.get(key, ())
        opened, closed = portranges.subtract(now, was), portranges.subtract(was, now)
        if opened:
            changes.append(ReachChange("opened", destination, _ports(protocol, opened), peer))
        if closed:
            changes.append(ReachChange("closed", destination, _ports(protocol, closed), peer))
    return changes


def labels(stack: Stack, names: Mapping[str, str]) -> Label:
    """A label function: ``names`` (ARN -> stable label), else the group's name."""
    fallback = by_name(stack)
    return lambda arn: names.get(arn) or fallback(arn)
