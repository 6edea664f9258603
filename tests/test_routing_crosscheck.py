"""Cross-check: ``alblab.verdicts.routing.route`` and the HAProxy config rendered by
``alblab.dataplane.haproxy.render`` must give every generated request the same action.

Two implementations of ALB's rule semantics, written apart: one is pure Python, the other HAProxy ACLs.
Every rule's action is made recognisable from the reply (a fixed response with its own body, a redirect
with its own Location, a forward to a backend answering its own name), so a reply names the rule that won.
HAProxy binds 127.0.0.1, backends 127.0.0.2-4; clients bind 127.0.0.x source addresses: loopback only.
"""

from __future__ import annotations

import random
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

pytest.importorskip("alblab.dataplane.haproxy", reason="the HAProxy renderer is not there")
if shutil.which("haproxy") is None:
    pytest.skip("haproxy not installed", allow_module_level=True)

from haproxy_helpers import (
    Reply,
    backends,
    free_port,
    haproxy,
    request,
    stack,
    tg,
)
from haproxy_helpers import forward as forward_to

from alblab.model import Action, Condition, FixedResponse, Listener, Redirect, Rule, TargetGroup
from alblab.verdicts.routing import Decision, Request, explain, route

SEED = 20261127
REQUESTS = 240  # ~2-5 ms each on loopback: the module stays around a second or two

METHODS = ["GET", "POST", "PUT", "DELETE"]  # the stand-in backend answers exactly these
PATHS = [
    "/", "/admin", "/admin/", "/admin/users", "/ADMIN/users", "/img/a.png", "/img/ab.png", "/img/.png",
    "/static/", "/static/css/site.css", "/api", "/api/v1/orders", "/old/page", "/old", "/cart", "/cart/",
    "/x.png", "/reports/q3", "/a/b/c/edit",
]  # fmt: skip
HOSTS = [
    "example.com", "a.example.com", "A.B.EXAMPLE.COM:8080", "api.example.org", "API.example.org:443",
    "api.internal", "shop.example.com", "example.com.evil", "web1.example.net", "web12.example.net",
]  # fmt: skip
# Bare keys ("?debug") are left out on purpose: ALB does not document whether one is a key or a value,
# and the two implementations read it differently (see the report).
QUERIES = [
    "", "ver=2", "VER=2beta", "ver=3", "x=debug", "x=DEBUG&y=1", "a=1&b=2", "a=1", "b=2", "a=%31&b=%32",
    "ver=2&x=a", "q=hello%20world", "q=hello+world", "q=a*b", "q=axb", "debug=",
]  # fmt: skip
HEADER_SETS: list[list[tuple[str, str]]] = [
    [],
    [("X-Env", "canary-7")],
    [("x-env", "BETA")],
    [("X-Env", "prod")],
    [("X-Env", "prod"), ("User-Agent", "Mozilla/5.0 (iPhone) Mobile")],
    [("User-Agent", "Mobile"), ("X-Env", "staging"), ("X-Env", "prod")],
    [("X-Env", "")],
    [("User-Agent", "curl/8.0")],
]
SOURCES = ["127.0.0.1", "127.0.0.9", "127.0.1.5", "127.0.2.1"]


def fixed(priority: int) -> Action:
    return Action("fixed-response", fixed_response=FixedResponse(200, message_body=f"rule-{priority}"))


def c(field: str, *values: str, name: str | None = None) -> Condition:
    return Condition(field, values, header_name=name)  # type: ignore[arg-type]


def q(*pairs: tuple[str | None, str]) -> Condition:
    return Condition("query-string", query_pairs=pairs)


def rules(fwd_a: TargetGroup, fwd_b: TargetGroup) -> list[Rule]:
    """Overlapping rules covering every condition type, listed out of priority order on purpose."""
    listed = [
        (40, fixed(40), (c("path-pattern", "*"), c("http-request-method", "DELETE"))),
        (3, fixed(3), (c("http-header", "canary*", "beta", name="X-Env"),)),
        (1, fixed(1), (c("path-pattern", "/admin/*"), c("http-request-method", "POST", "PUT"))),
        (2, fixed(2), (c("host-header", "*.example.com", "api.example.org"), c("path-pattern", "/admin*"))),
        (4, fixed(4), (q(("ver", "2*"), (None, "debug")),)),
        (5, fixed(5), (c("source-ip", "127.0.0.9/32", "127.0.1.0/24"),)),
        (6, forward_to(fwd_a), (c("path-pattern", "/img/?.png", "/static/*", "*.css"),)),
        (
            7,
            fixed(7),
            (c("http-header", "prod", name="X-Env"), c("http-header", "*Mobile*", name="User-Agent")),
        ),
        (8, forward_to(fwd_b), (c("path-pattern", "/api/*"), c("host-header", "api.*"))),
        (9, fixed(9), (q(("a", "1")), q(("b", "2")))),
        (
            10,
            Action("redirect", redirect=Redirect(path="/new/#{path}", query="", status_code="HTTP_302")),
            (c("path-pattern", "/old/*"),),
        ),
        (11, fixed(11), (c("host-header", "shop.example.com"), c("path-pattern", "/cart"))),
        (12, fixed(12), (c("host-header", "web?.example.net"),)),
        (13, fixed(13), (q(("q", "hello world"), ("q", "a\\*b")),)),
        (14, fixed(14), (q(("debug", "*")),)),
        (15, fixed(15), (c("path-pattern", "/a", "/b/*", "/c?", "*.png", "*/edit"),)),
    ]
    return [Rule(f"arn:rule/{p}", p, conds, action) for p, action, conds in listed]


@dataclass
class Lab:
    port: int
    listener: Listener
    names: dict[str, str]  # target group ARN -> its backend's answer name


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Lab]:
    tmp: Path = tmp_path_factory.mktemp("crosscheck")
    with backends(tmp, [("dflt", "127.0.0.2"), ("fwd-a", "127.0.0.3"), ("fwd-b", "127.0.0.4")]) as apps:
        groups = {name: tg(name, [(app.ip, app.port)]) for name, app in apps.items()}
        port = free_port()
        lst = Listener(
            f"arn:listener/{port}",
            port,
            "HTTP",
            forward_to(groups["dflt"]),
            tuple(rules(groups["fwd-a"], groups["fwd-b"])),
        )
        with haproxy(tmp, stack([lst], list(groups.values()))):
            yield Lab(port, lst, {g.arn: name for name, g in groups.items()})


def expected_id(decision: Decision, names: dict[str, str]) -> str:
    action = decision.action
    if action.type == "forward":
        return "forward:" + "+".join(names[g.target_group_arn] for g in action.target_groups)
    if action.type == "redirect":
        return f"redirect:{decision.priority}"
    assert action.fixed_response is not None
    return f"fixed:{action.fixed_response.message_body}"


def observed_id(reply: Reply, lab: Lab) -> str:
    if reply.status == 302:
        location = reply.headers.get("location", "")
        redirects = [r.priority for r in lab.listener.rules if r.action.type == "redirect"]
        return f"redirect:{redirects[0]}" if "/new/" in location else f"redirect?:{location}"
    if reply.body.startswith("rule-"):
        return f"fixed:{reply.body}"
    if reply.status == 200 and reply.headers.get("content-type") == "application/json":
        return f"forward:{reply.json()['name']}"
    return f"unexpected:{reply.status}:{reply.body[:60]}"


@dataclass(frozen=True)
class Case:
    method: str
    host: str
    path: str
    query: str
    headers: tuple[tuple[str, str], ...]
    source: str

    @property
    def url(self) -> str:
        return f"{self.path}?{self.query}" if self.query else self.path

    def as_request(self) -> Request:
        merged: dict[str, list[str]] = {}
        for key, value in self.headers:
            merged.setdefault(key, []).append(value)
        return Request(self.method, self.host, self.url, merged, [], self.source)


def generated_cases() -> list[Case]:
    rnd = random.Random(SEED)
    cases = {
        Case(
            rnd.choice(METHODS),
            rnd.choice(HOSTS),
            rnd.choice(PATHS),
            rnd.choice(QUERIES),
            tuple(rnd.choice(HEADER_SETS)),
            rnd.choice(SOURCES),
        )
        for _ in range(REQUESTS)
    }
    # Each value of each dimension at least once against a neutral request, so none is left to chance.
    base = Case("GET", "example.com", "/", "", (), "127.0.0.1")
    cases |= {Case("GET", "shop.example.com:80", "/cart", "", (), "127.0.0.1")}
    for field, values in (
        ("method", METHODS),
        ("host", HOSTS),
        ("path", PATHS),
        ("query", QUERIES),
        ("headers", [tuple(h) for h in HEADER_SETS]),
        ("source", SOURCES),
    ):
        cases |= {Case(**{**base.__dict__, field: v}) for v in values}
    return sorted(cases, key=repr)


def test_generated_requests_cover_every_rule_and_the_default(lab: Lab) -> None:
    hit = {route(lab.listener, case.as_request()).priority for case in generated_cases()}
    assert hit == {r.priority for r in lab.listener.rules} | {None}


def test_route_and_rendered_haproxy_agree_on_every_generated_request(lab: Lab) -> None:
    disagreements = []
    cases = generated_cases()
    for case in cases:
        decision = route(lab.listener, case.as_request())
        reply = request(
            lab.port,
            case.url,
            method=case.method,
            headers=[("Host", case.host), *case.headers],
            source=case.source,
        )
        want, got = expected_id(decision, lab.names), observed_id(reply, lab)
        if want != got:
            why = [f"p{o.priority}: {o.reason}" for o in explain(lab.listener, case.as_request())[:6]]
            disagreements.append(f"{case}: route() says {want}, HAProxy did {got}; {why}")
    assert not disagreements, f"{len(disagreements)}/{len(cases)} disagree:\n" + "\n".join(disagreements[:15])
