"""Behaviour of the rendered HAProxy on loopback: rule conditions, priority, actions, balancing, stickiness.

One HAProxy (bound to 127.0.0.1) and four stand-in targets on 127.0.0.2-5 serve the whole module.
"""

from __future__ import annotations

import socket
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from haproxy_helpers import (
    REAL_HAPROXY,
    Backend,
    backends,
    forward,
    free_port,
    haproxy,
    listener,
    request,
    stack,
    tg,
)

from alblab.model import Action, Condition, FixedResponse, Redirect, Rule

pytestmark = REAL_HAPROXY

FIXED_BODY = "café \"quoted\" #hash 100% \\ 'single'\nsecond line"


def fixed(body: str, status: int = 200, content_type: str = "text/plain") -> Action:
    return Action("fixed-response", fixed_response=FixedResponse(status, content_type, body))


def path(*values: str) -> Condition:
    return Condition("path-pattern", values)


class Lab:
    def __init__(self, port: int, apps: dict[str, Backend]):
        self.port = port
        self.apps = apps

    def get(self, url: str = "/", **kw: object):  # type: ignore[no-untyped-def]
        return request(self.port, url, **kw)  # type: ignore[arg-type]

    def served_by(self, url: str = "/", **kw: object) -> str:
        reply = self.get(url, **kw)
        assert reply.status == 200, reply
        return str(reply.json()["name"])


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Lab]:
    tmp = tmp_path_factory.mktemp("routing")
    specs = [("A", "127.0.0.2"), ("B", "127.0.0.3"), ("C", "127.0.0.4"), ("D", "127.0.0.5")]
    with backends(tmp, specs) as apps:
        ab = tg(
            "ab",
            [(apps["A"].ip, apps["A"].port), (apps["B"].ip, apps["B"].port)],
            attributes={"stickiness.enabled": "true", "stickiness.type": "lb_cookie"},
        )
        c = tg("c", [(apps["C"].ip, apps["C"].port)])
        d = tg("d", [(apps["D"].ip, apps["D"].port)])
        port = free_port()
        rules = [
            Rule("p5", 5, (path("/prio/*"),), fixed("p5")),
            Rule("p6", 6, (path("/prio/x"),), forward(c)),
            Rule("p7", 7, (path("/order/*"),), forward(c)),
            Rule("p8", 8, (path("/order/*"),), fixed("p8", 503)),
            Rule("p10", 10, (path("/img/?.png"),), fixed("path")),
            Rule("p11", 11, (Condition("host-header", ("*.example.com",)),), fixed("host")),
            Rule("p12", 12, (Condition("http-header", ("canary*",), header_name="X-Env"),), fixed("header")),
            Rule(
                "p13",
                13,
                (Condition("query-string", query_pairs=(("ver", "2*a"), (None, "beta"))),),
                fixed("query"),
            ),
            Rule("p14", 14, (Condition("http-request-method", ("POST", "PUT")),), fixed("method")),
            Rule("p15", 15, (Condition("source-ip", ("127.0.0.9/32",)),), fixed("source")),
            Rule("p16", 16, (path("/and"), Condition("http-request-method", ("DELETE",))), fixed("and")),
            Rule("p20", 20, (path("/fixed"),), fixed(FIXED_BODY, 418, "application/x-lab; charset=utf-8")),
            Rule(
                "p21",
                21,
                (path("/old/*"),),
                Action(
                    "redirect",
                    redirect=Redirect(
                        protocol="HTTPS", port="443", path="/new/#{path}", query="#{query}&x=1"
                    ),
                ),
            ),
            Rule(
                "p22",
                22,
                (path("/keep"),),
                Action("redirect", redirect=Redirect(path="/kept", status_code="HTTP_302")),
            ),
            Rule("p30", 30, (path("/weighted"),), forward(c, d, weights=(80, 20), sticky=600)),
            Rule("p40", 40, (path("/empty"),), fixed("", 204)),
        ]
        st = stack([listener(port, forward(ab), rules)], [ab, c, d])
        with haproxy(tmp, st):
            yield Lab(port, apps)


def test_default_action_round_robin_alternates(lab: Lab) -> None:
    seen = [lab.served_by("/") for _ in range(6)]
    assert seen in (["A", "B"] * 3, ["B", "A"] * 3)


def test_lower_priority_number_wins(lab: Lab) -> None:
    assert lab.get("/prio/x").body == "p5"


def test_forward_rule_beats_later_fixed_response(lab: Lab) -> None:
    # HAProxy runs http-request rules before use_backend; ALB's order must still hold.
    assert lab.served_by("/order/a") == "C"


@pytest.mark.parametrize(
    ("url", "expected"),
    [("/img/a.png", "path"), ("/img/ab.png", None), ("/IMG/a.png", None), ("/img/a.png?x=1", "path")],
)
def test_path_pattern_is_case_sensitive_with_wildcards(lab: Lab, url: str, expected: str | None) -> None:
    reply = lab.get(url)
    assert (reply.body if reply.body == "path" else None) == expected


@pytest.mark.parametrize(
    ("host", "matches"),
    [
        ("api.example.com", True),
        ("API.Example.COM:8080", True),
        ("a.b.example.com", True),
        ("example.com", False),
    ],
)
def test_host_header_is_case_insensitive_and_ignores_port(lab: Lab, host: str, matches: bool) -> None:
    assert (lab.get("/", headers=[("Host", host)]).body == "host") is matches


def test_http_header_matches_any_occurrence_case_insensitively(lab: Lab) -> None:
    assert lab.get("/", headers=[("X-Env", "CANARY-1")]).body == "header"
    assert lab.get("/", headers=[("X-Env", "prod"), ("X-Env", "canary")]).body == "header"
    assert lab.get("/", headers=[("X-Env", "prod")]).body != "header"


@pytest.mark.parametrize(
    ("query", "matches"),
    [
        ("ver=2beta", True),
        ("a=1&VER=2A", True),  # keys and values compare case-insensitively
        ("ver=2&x=a", False),  # a wildcard never spans two parameters
        ("a=beta", True),  # key-less value
        ("a=%62eta", True),  # percent-encoded character
        ("a=betamax", False),
    ],
)
def test_query_string_pairs(lab: Lab, query: str, matches: bool) -> None:
    assert (lab.get(f"/q?{query}").body == "query") is matches


def test_method_is_exact(lab: Lab) -> None:
    assert lab.get("/", method="POST").body == "method"
    assert lab.get("/", method="GET").body != "method"


def test_source_ip_uses_the_peer_address_not_xff(lab: Lab) -> None:
    assert lab.get("/", source="127.0.0.9").body == "source"
    assert lab.get("/", headers=[("X-Forwarded-For", "127.0.0.9")]).body != "source"


def test_conditions_are_anded(lab: Lab) -> None:
    assert lab.get("/and", method="DELETE").body == "and"
    assert lab.get("/and", method="GET").body != "and"


def test_fixed_response_status_type_and_body(lab: Lab) -> None:
    reply = lab.get("/fixed")
    assert reply.status == 418
    assert reply.headers["content-type"] == "application/x-lab; charset=utf-8"
    assert reply.body == FIXED_BODY


def test_fixed_response_without_body(lab: Lab) -> None:
    reply = lab.get("/empty")
    assert (reply.status, reply.body) == (204, "")


def test_redirect_rebuilds_the_url_from_placeholders(lab: Lab) -> None:
    reply = lab.get("/old/a?b=1", headers=[("Host", "shop.example.net:8080")])
    assert reply.status == 301
    assert reply.headers["location"] == "https://shop.example.net:443/new/old/a?b=1&x=1"


def test_redirect_defaults_keep_components_and_omit_empty_query(lab: Lab) -> None:
    host = [("Host", "shop.example.net")]
    reply = lab.get("/keep", headers=host)
    assert reply.status == 302
    assert reply.headers["location"] == f"http://shop.example.net:{lab.port}/kept"
    assert (
        lab.get("/keep?z=9", headers=host).headers["location"]
        == f"http://shop.example.net:{lab.port}/kept?z=9"
    )


def test_weighted_forward_splits_80_20(lab: Lab) -> None:
    # Binomial(n=400, p=0.8): sd = 8; ±32 (4 sd) fails by chance with probability < 1e-4.
    counts = Counter(lab.served_by("/weighted") for _ in range(400))
    assert set(counts) <= {"C", "D"}
    assert 288 <= counts["C"] <= 352, counts


def test_weighted_forward_group_stickiness_cookie(lab: Lab) -> None:
    """https://docs.aws.amazon.com/elasticloadbalancing/latest/application/sticky-sessions.html"""
    first = lab.get("/weighted")
    cookie = next(c for c in first.set_cookies if c.startswith("AWSALBTG="))
    assert cookie.startswith("AWSALBTG=tg-") and "Expires=" in cookie and "Max-Age" not in cookie
    # The 20 % group keeps every request that carries its cookie.
    pinned = cookie.split(";")[0].replace("tg-c|", "tg-d|")
    served = {lab.served_by("/weighted", headers=[("Cookie", pinned)]) for _ in range(20)}
    assert served == {"D"}


def test_lb_cookie_keeps_a_client_on_one_target(lab: Lab) -> None:
    """https://docs.aws.amazon.com/elasticloadbalancing/latest/application/sticky-sessions.html"""
    first = lab.get("/")
    cookie = next(c for c in first.set_cookies if c.startswith("AWSALB=")).split(";")[0]
    target = first.json()["name"]
    served = {lab.served_by("/", headers=[("Cookie", cookie)]) for _ in range(10)}
    assert served == {target}


def test_target_sees_forwarded_headers(lab: Lab) -> None:
    info = lab.get("/", headers=[("X-Forwarded-Proto", "https")]).json()
    headers = dict(info["headers"])  # type: ignore[arg-type]
    assert headers["x-forwarded-proto"] == "http"
    assert headers["x-forwarded-port"] == str(lab.port)
    assert info["xff"] == ["127.0.0.1"]
    assert info["peer"] == "127.0.0.1"


def test_app_cookie_keeps_a_client_on_the_target_that_issued_it(tmp_path: Path) -> None:
    with backends(tmp_path, [("E", "127.0.0.6"), ("F", "127.0.0.7")]) as apps:
        sticky = {
            "stickiness.enabled": "true",
            "stickiness.type": "app_cookie",
            "stickiness.app_cookie.cookie_name": "APPSESSION",
        }
        group = tg("app", [(a.ip, a.port) for a in apps.values()], attributes=sticky)
        port = free_port()
        with haproxy(tmp_path, stack([listener(port, forward(group))], [group])):
            first = request(port, "/?APPSESSION=s1")  # the stand-in app sets APPSESSION=s1
            assert first.headers["set-cookie"] == "APPSESSION=s1"
            owner = first.json()["name"]
            with_cookie = {
                request(port, "/", headers=[("Cookie", "APPSESSION=s1")]).json()["name"] for _ in range(8)
            }
            assert with_cookie == {owner}
            without = {request(port, "/").json()["name"] for _ in range(4)}
            assert without == {"E", "F"}  # no cookie: plain round robin


def test_target_slower_than_the_idle_timeout_gets_504(tmp_path: Path) -> None:
    with socket.socket() as silent:  # accepts, never answers
        silent.bind(("127.0.0.8", 0))
        silent.listen(8)
        group = tg("silent", [("127.0.0.8", silent.getsockname()[1])])
        port = free_port()
        attrs = {"idle_timeout.timeout_seconds": "1"}
        with haproxy(tmp_path, stack([listener(port, forward(group))], [group], attrs)):
            start = time.monotonic()
            assert request(port).status == 504
            assert 0.9 <= time.monotonic() - start < 3
