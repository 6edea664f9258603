"""A request that should land on a given rule, and whether it does: every declared rule must be reachable.

For each rule, ``sample_request`` builds the plainest request its conditions admit (wildcards filled with
one letter, the first value of each list, an address inside the first CIDR). ``route`` then says whether the
rule really answers it or a rule of higher priority catches it first (the rule is shadowed for that request).
Works on any configuration: it needs no list of routes from the user.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass

from alblab.model import Condition, Listener, Rule
from alblab.verdicts.conditions import mismatch
from alblab.verdicts.routing import Request, route


def fill(pattern: str, star: str = "", escapes: bool = False) -> str:
    """One concrete value a wildcard pattern matches: ``*`` → ``star``, ``?`` → ``a``."""
    out = []
    i = 0
    while i < len(pattern):
        ch = pattern[i]
        if escapes and ch == "\\" and i + 1 < len(pattern) and pattern[i + 1] in "*?\\":
            out.append(pattern[i + 1])
            i += 2
            continue
        out.append(star if ch == "*" else "a" if ch == "?" else ch)
        i += 1
    return "".join(out)


def _source_ip(cidr: str) -> str:
    network = ipaddress.ip_network(cidr, strict=False)
    if network.num_addresses == 1:
        return str(network.network_address)
    return str(network.network_address + 1)


# What a wildcard becomes in the samples tried, in order: the shortest match first, then longer ones, so
# a rule is called shadowed only when no plain request reaches it.
STARS = ("", "x", "alblab")


def sample_request(rule: Rule, star: str = "") -> Request:
    """A plain request every condition of ``rule`` admits (not yet checked against other rules)."""
    request = Request()
    headers: dict[str, str] = {}
    query: list[tuple[str, str]] = []
    for c in rule.conditions:
        _apply(c, request, headers, query, star)
    request.headers = headers
    request.query = query
    return request


def _apply(
    c: Condition, request: Request, headers: dict[str, str], query: list[tuple[str, str]], star: str
) -> None:
    # Outside paths a wildcard never becomes empty: a host label or a header value cannot be.
    word = star or "a"
    if c.field == "path-pattern" and c.values:
        path = fill(c.values[0], star=star)
        request.path = path if path.startswith("/") else f"/{path}"
    elif c.field == "host-header" and c.values:
        request.host = fill(c.values[0], star=word)
    elif c.field == "http-header" and c.values and c.header_name:
        headers[c.header_name] = fill(c.values[0], star=word)
    elif c.field == "http-request-method" and c.values:
        request.method = c.values[0]
    elif c.field == "query-string" and c.query_pairs:
        key, value = c.query_pairs[0]
        query.append(
            (fill(key, star=word, escapes=True) if key else "q", fill(value, star=word, escapes=True))
        )
    elif c.field == "source-ip" and c.values:
        request.source_ip = _source_ip(c.values[0])


@dataclass(frozen=True)
class RuleReach:
    priority: int
    request: Request
    reached: bool
    reason: str  # why not (shadowed by which rule, or the sample does not match its own rule)


def rule_reach(listener: Listener, rule: Rule) -> RuleReach:
    """Does some plain request reach ``rule``? The first sample that does, else why the first one fails."""
    first: RuleReach | None = None
    for star in STARS:
        outcome = _try(listener, rule, sample_request(rule, star))
        if outcome.reached:
            return outcome
        first = first or outcome
    assert first is not None
    return first


def _try(listener: Listener, rule: Rule, request: Request) -> RuleReach:
    own = next((m for c in rule.conditions if (m := mismatch(c, request)) is not None), None)
    if own is not None:
        return RuleReach(rule.priority, request, False, f"no sample request could be built ({own})")
    decision = route(listener, request)
    if decision.priority == rule.priority:
        return RuleReach(rule.priority, request, True, "reached")
    return RuleReach(
        rule.priority,
        request,
        False,
        f"shadowed: rule {decision.priority} (higher priority) answers {describe(request)} first",
    )


def describe(request: Request) -> str:
    query = "&".join(f"{k}={v}" for k, v in request.query)
    parts = [f"{request.method} {request.path}{'?' + query if query else ''}"]
    if request.host:
        parts.append(f"Host: {request.host}")
    parts.extend(f"{k}: {v}" for k, v in request.headers.items())
    if request.source_ip:
        parts.append(f"from {request.source_ip}")
    return ", ".join(parts)
