"""The data plane answers as an ALB does, through real HAProxy nodes and stand-in apps in namespaces.

Each case comes from the AWS documentation page named in its docstring (``ALB`` below is
https://docs.aws.amazon.com/elasticloadbalancing/latest/application/). Where the lab still differs, the
test pins the lab's answer and docs/differences.md says why.
"""

from __future__ import annotations

import dataclasses
import sys
import threading
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from pathlib import Path

import pytest
from plane_factories import (
    ALB_SG,
    FAST_HC,
    fixed_rule,
    forward,
    plane_maker,
    security_groups,
    stack,
    target_group,
)

from alblab import verify
from alblab.dataplane import DataPlane, DataPlaneError, HttpResult, availability
from alblab.dataplane.client import parse_curl_output
from alblab.dataplane.haproxy.own_answers import REASONS
from alblab.dataplane.plane import RETRY_ENV
from alblab.model import Listener, SgRule, Stack, TargetGroup
from alblab.verdicts.request import Request

pytestmark = [
    pytest.mark.dataplane,
    pytest.mark.skipif(availability() is not None, reason=str(availability())),
]
MakePlane = Callable[[Stack], DataPlane]
CHECKER = "User-Agent: ELB-HealthChecker/2.0"
ROOT_HC = dataclasses.replace(FAST_HC, path="/")  # the AWS default health check path


def fail(plane: DataPlane, owners: tuple[str, ...], mode: str) -> None:
    for owner in owners:
        plane.fail(owner, mode)
    time.sleep(0.3)  # the stand-in's control loop reads its mode every 50 ms


@pytest.fixture
def make_plane(tmp_path: Path) -> Iterator[MakePlane]:
    with plane_maker(tmp_path) as make:
        yield make


def web(ids: tuple[str, ...] = ("i-aaa", "i-bbb"), **attributes: str) -> TargetGroup:
    return dataclasses.replace(target_group("web", ids, attributes), health_check=ROOT_HC)


def with_attributes(s: Stack, **attributes: str) -> Stack:
    lb = dataclasses.replace(s.load_balancer, attributes={**s.load_balancer.attributes, **attributes})
    return dataclasses.replace(s, load_balancer=lb)


def curl(plane: DataPlane, *options: str, path: str = "/", port: int = 80) -> HttpResult:
    """curl with options plane.curl does not take (HTTP/1.0, a request target of its own, no Host)."""
    url = f"http://{plane.stack.load_balancer.dns_name}:{port}{path}"
    proc = plane.client_exec(["curl", "-sS", "-i", "--max-time", "8", *options, url], timeout=15)
    assert proc.returncode == 0, proc.stderr
    return parse_curl_output(proc.stdout)


RAW = """
import socket, sys
s = socket.create_connection((sys.argv[1], 80), 5)
s.sendall(bytes.fromhex(sys.argv[2]))
s.settimeout(5)
data = b""
while b"\\r\\n" not in data:
    chunk = s.recv(65536)
    if not chunk:
        break
    data += chunk
print(data.split(b"\\r\\n", 1)[0].decode())
"""


def raw_status(plane: DataPlane, request: bytes) -> str:
    """The status line an ALB node answers to ``request`` sent byte for byte (curl would fix it up)."""
    node = plane.alb_node_ips[0]
    proc = plane.client_exec([sys.executable, "-c", RAW, node, request.hex()], timeout=15)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout.strip()


def assert_alb_page(reply: HttpResult, status: int) -> None:
    """ALB's own answer: its short HTML page and ``Server: awselb/2.0`` (observed; unverified in the docs)."""
    assert reply.status == status, (reply.status_line, reply.body[:200])
    if REASONS[status]:  # 463 has no standard reason phrase; ALB's is unverified
        assert reply.status_line == f"HTTP/1.1 {status} {REASONS[status]}"
    assert reply.header("server") == "awselb/2.0"
    assert reply.header("content-type") == "text/html"
    assert f"<title>{status}" in reply.body
    assert reply.field("instance") is None  # no target answered


# --- the stand-in is an app ------------------------------------------------------------------------------


def test_health_check_path_root_still_alternates_on_root(make_plane: MakePlane) -> None:
    """The AWS default health check path is ``/`` (ALB target-group-health-checks.html); the checks are
    told apart by ``User-Agent: ELB-HealthChecker/2.0`` (ALB load-balancer-troubleshooting.html), so a
    client's ``GET /`` still gets the app, in turn from each target, as assert_alternates("/") sees it."""
    s = stack(groups=(web(),))
    plane = make_plane(s)
    plane.wait_all_healthy()
    assert plane.target_health() == {"web": {"i-aaa:80": "healthy", "i-bbb:80": "healthy"}}
    seen = [plane.curl("/").field("instance") for _ in range(6)]
    assert seen in (["i-aaa", "i-bbb"] * 3, ["i-bbb", "i-aaa"] * 3), seen
    listener = s.load_balancer.listeners[0]
    group = s.target_groups["arn:tg/web"]
    ok, text = verify.alternation(plane, s, listener, Request("GET", "", "/", {}, []), group, 6)
    assert ok, text
    # What assert_lands("/", target_group="web") reads:
    assert verify.answered_by(plane.curl("/")) in verify.registrations(s, group)


def test_unhealthy_fails_health_checks_only(make_plane: MakePlane) -> None:
    """A target failing its health checks is taken out (ALB target-group-health-checks.html); the app
    itself keeps answering, as one with a failing dependency does."""
    plane = make_plane(stack(groups=(web(),)))
    plane.wait_all_healthy()
    plane.fail("i-aaa", "unhealthy")
    plane.wait_health(lambda h: h["web"]["i-aaa:80"] == "unhealthy", timeout=10)
    assert {plane.curl("/").field("instance") for _ in range(4)} == {"i-bbb"}
    node = plane.alb_nodes[0].name
    direct = ["curl", "-sS", "--max-time", "3", "-w", "\n%{http_code}", "http://10.0.11.4/"]
    app = plane.node_exec(node, direct)
    assert app.stdout.endswith("\n200") and "instance: i-aaa" in app.stdout
    check = plane.node_exec(node, [*direct[:-1], "-H", CHECKER, "http://10.0.11.4/"])
    assert check.stdout == "unhealthy\n\n503"


def test_target_sees_every_request_header_in_order(make_plane: MakePlane) -> None:
    """Every header arrives, in order, with the ALB's own added (ALB x-forwarded-headers.html,
    load-balancer-request-tracing.html)."""
    plane = make_plane(stack(groups=(web(),)))
    reply = plane.curl("/a?b=1", headers=["X-One: 1", "X-Two: 2", "X-One: 3"])
    names = [name.lower() for name, _ in reply.request_headers()]
    assert [n for n in names if n.startswith("x-one") or n.startswith("x-two")] == ["x-one", "x-two", "x-one"]
    assert reply.request_header("X-One") == ["1", "3"]
    for added in ("x-forwarded-for", "x-forwarded-proto", "x-forwarded-port", "x-amzn-trace-id"):
        assert added in names, names
    assert names.index("host") < names.index("x-one")
    # Names as ALB writes them towards the target (Elastic Load Balancing user guide,
    # how-elastic-load-balancing-works.html#http-headers): a few in mixed case, all others lower case.
    as_sent = {name for name, _ in reply.request_headers()}
    assert {"Host", "X-Forwarded-For", "X-Forwarded-Proto", "X-Forwarded-Port", "X-Amzn-Trace-Id"} <= as_sent
    assert {"user-agent", "accept", "x-one", "x-two"} <= as_sent
    assert reply.field("path") == "/a?b=1" and reply.field("method") == "GET"
    assert reply.field("headers") == str(len(names))


@pytest.mark.parametrize("drop", ["true", "false"])
def test_invalid_header_names_dropped_or_routed(make_plane: MakePlane, drop: str) -> None:
    """routing.http.drop_invalid_header_fields.enabled: headers whose names are not ``[-A-Za-z0-9]+`` are
    "removed by the load balancer (true) or routed to targets (false)" (ALB
    edit-load-balancer-attributes.html)."""
    s = with_attributes(stack(groups=(web(),)), **{"routing.http.drop_invalid_header_fields.enabled": drop})
    plane = make_plane(s)
    reply = curl(plane, "-H", "X_Under: 1", "-H", "Bad(Name): 2", "-H", "X-Fine: 3")
    assert reply.status == 200
    names = {name.lower() for name, _ in reply.request_headers()}
    assert "x-fine" in names
    assert ({"x_under", "bad(name)"} <= names) is (drop == "false"), names
    assert not ({"x_under", "bad(name)"} & names) or drop == "false"


# --- ALB's error semantics ---------------------------------------------------------------------------------


def test_refused_connection_is_502_at_once(make_plane: MakePlane) -> None:
    """ "The load balancer received a TCP RST from the target when attempting to establish a connection"
    -> HTTP 502 (ALB load-balancer-troubleshooting.html); ALB does not retry it on another target."""
    plane = make_plane(stack(groups=(web(("i-aaa",)),)))
    fail(plane, ("i-aaa",), "dead")
    t0 = time.monotonic()
    reply = plane.curl("/")
    took = time.monotonic() - t0
    assert_alb_page(reply, 502)
    assert took < 1.0, took  # no retry after the 1 s connect timeout


def test_target_closing_with_request_outstanding_is_502(make_plane: MakePlane) -> None:
    """ "The target closed the connection with a TCP RST or a TCP FIN while the load balancer had an
    outstanding request to the target" -> HTTP 502 (ALB load-balancer-troubleshooting.html)."""
    plane = make_plane(stack(groups=(web(),)))
    fail(plane, ("i-aaa", "i-bbb"), "slow:4000")
    replies: list[HttpResult] = []
    worker = threading.Thread(target=lambda: replies.append(plane.curl("/", timeout=8)))
    t0 = time.monotonic()
    worker.start()
    time.sleep(1.0)
    fail(plane, ("i-aaa", "i-bbb"), "dead")
    worker.join(timeout=10)
    assert replies, "no answer"
    assert_alb_page(replies[0], 502)
    assert time.monotonic() - t0 < 3.5  # answered when the target closed, not when it would have answered


def test_more_than_30_forwarded_addresses_is_463(make_plane: MakePlane) -> None:
    """ "The load balancer received an X-Forwarded-For request header with too many IP addresses. The upper
    limit for IP addresses is 30." -> HTTP 463 (ALB load-balancer-troubleshooting.html)."""
    plane = make_plane(stack(groups=(web(),)))
    addresses = [f"203.0.113.{i}" for i in range(1, 32)]
    thirty = plane.curl("/", headers=[f"X-Forwarded-For: {', '.join(addresses[:30])}"])
    assert thirty.status == 200
    assert ", ".join(thirty.fields()["x-forwarded-for"]).count(",") == 30  # 30 sent + the client's
    assert_alb_page(plane.curl("/", headers=[f"X-Forwarded-For: {', '.join(addresses)}"]), 463)
    split = [f"X-Forwarded-For: {', '.join(addresses[:16])}", f"X-Forwarded-For: {', '.join(addresses[16:])}"]
    assert_alb_page(plane.curl("/", headers=split), 463)


def test_trace_is_405(make_plane: MakePlane) -> None:
    """ "The client used the TRACE method, which is not supported by Application Load Balancers" -> HTTP 405
    (ALB load-balancer-troubleshooting.html). Any other method reaches the app."""
    plane = make_plane(stack(groups=(web(),)))
    assert_alb_page(plane.curl("/", method="TRACE"), 405)
    assert plane.curl("/", method="PURGE").field("method") == "PURGE"


def test_transfer_encoding(make_plane: MakePlane) -> None:
    """ALB accepts ``chunked`` and ``identity`` and answers 501 to any other Transfer-Encoding (ALB
    load-balancer-troubleshooting.html, HTTP 501). The lab: chunked reaches the target; HAProxy's HTTP/1
    parser answers every other value with 400 (or 422) before any rule runs, ``identity`` included — a
    difference kept in docs/differences.md."""
    plane = make_plane(stack(groups=(web(),)))
    head = b"POST / HTTP/1.1\r\nHost: shop.example.com\r\nTransfer-Encoding: %s\r\n\r\n"
    assert raw_status(plane, head % b"chunked" + b"3\r\nabc\r\n0\r\n\r\n").split()[1] == "200"
    assert raw_status(plane, head % b"gzip").split()[1] == "400"
    assert raw_status(plane, head % b"identity").split()[1] == "400"
    assert raw_status(plane, head % b"gzip, chunked" + b"0\r\n\r\n").split()[1] in ("400", "422")


def test_header_size_limits(make_plane: MakePlane) -> None:
    """Request line 16 K, single header 16 K, entire request header 64 K (ALB load-balancer-limits.html,
    "HTTP headers"); past them HTTP 400 (load-balancer-troubleshooting.html)."""
    plane = make_plane(stack(groups=(web(),)))
    big = plane.curl("/", headers=[f"X-Big-{i}: {'a' * 12_000}" for i in range(3)])  # 36 K in all
    assert big.status == 200 and big.request_header("x-big-2") == ["a" * 12_000]
    assert_alb_page(plane.curl("/", headers=[f"X-One: {'a' * 17_000}"]), 400)
    assert_alb_page(plane.curl("/", headers=[f"X-Big-{i}: {'a' * 14_000}" for i in range(5)]), 400)
    assert plane.curl("/" + "p" * 15_000).status == 200
    assert_alb_page(plane.curl("/" + "p" * 17_000), 400)


def test_alb_answers_503_without_targets_504_for_a_silent_one(make_plane: MakePlane) -> None:
    """503: "The target groups for the load balancer have no registered targets"; 504: "the target did not
    respond before the idle timeout period elapsed" (ALB load-balancer-troubleshooting.html). A
    fixed-response 503 of the user's stays theirs."""
    empty = dataclasses.replace(target_group("empty", ()), health_check=ROOT_HC)
    rules = (
        fixed_rule(1, "/maintenance", 503, "Back soon"),
        dataclasses.replace(fixed_rule(2, "/empty*", 200, ""), action=forward(("empty", 1))),
    )
    s = stack(rules=rules, groups=(web(), empty), default=forward(("web", 1)))
    plane = make_plane(with_attributes(s, **{"idle_timeout.timeout_seconds": "1"}))
    assert_alb_page(plane.curl("/empty"), 503)
    mine = plane.curl("/maintenance")
    assert (mine.status, mine.body) == (503, "Back soon")
    fail(plane, ("i-aaa", "i-bbb"), "slow:2500")
    assert_alb_page(plane.curl("/slow"), 504)


# --- Host header -----------------------------------------------------------------------------------------

HOST_DOC = (
    "https://docs.aws.amazon.com/elasticloadbalancing/latest/application/edit-load-balancer-attributes.html"
)


def two_listeners(preserve: str) -> Stack:
    """Listeners on 80 (a default port) and 8080, both forwarding to web."""
    base = stack(groups=(web(),))
    extra = Listener("arn:listener/8080", 8080, "HTTP", forward(("web", 1)))
    sgs = security_groups()
    alb = sgs[ALB_SG]
    sgs[ALB_SG] = dataclasses.replace(
        alb, ingress=(*alb.ingress, SgRule("ingress", "tcp", 8080, 8080, "0.0.0.0/0"))
    )
    lb = dataclasses.replace(
        base.load_balancer,
        listeners=(*base.load_balancer.listeners, extra),
        attributes={"routing.http.preserve_host_header.enabled": preserve},
    )
    return dataclasses.replace(base, load_balancer=lb, security_groups=sgs)


# (listener port, curl options, Host the target must see with preservation off, with it on). The first
# four rows are the table of HOST_DOC#host-header-preservation; the others follow its two rules: on 80/443
# no port is appended and one the client sent is removed, on other ports the listener's port is appended
# "if it isn't already appended by the client".
HOST_ROWS = [
    (80, ["-H", "Host: example.com"], "example.com", "example.com"),
    (80, ["-H", "Host: example.com:80"], "example.com", "example.com:80"),
    (
        80,
        ["--request-target", "http://dns_name/index.html", "-H", "Host: example.com"],
        "dns_name",
        "example.com",
    ),
    (8080, ["-H", "Host: example.com"], "example.com:8080", "example.com"),
    (8080, ["-H", "Host: example.com:8080"], "example.com:8080", "example.com:8080"),
    (80, ["-H", "Host: example.com:8081"], "example.com", "example.com:8081"),
    (8080, ["-H", "Host: example.com:9000"], "example.com:9000", "example.com:9000"),
    # Not in the table (unverified): ALB does not invent a Host for HTTP/1.0 (HTTP 401 in
    # load-balancer-troubleshooting.html: "unable to generate a redirect URL"); case is kept.
    (80, ["-0", "-H", "Host:"], None, None),
    (8080, ["-H", "Host: Example.COM"], "Example.COM:8080", "Example.COM"),
]


@pytest.mark.parametrize("preserve", ["false", "true"])
def test_host_header_as_the_documentation_table_says(make_plane: MakePlane, preserve: str) -> None:
    """HOST_DOC#host-header-preservation, for both settings of routing.http.preserve_host_header.enabled."""
    plane = make_plane(two_listeners(preserve))
    problems = []
    for port, options, off, on in HOST_ROWS:
        reply = curl(plane, *options, path="/index.html", port=port)
        want = off if preserve == "false" else on
        got = reply.request_header("host")
        if reply.status != 200 or got != ([want] if want else []) or reply.field("path") != "/index.html":
            problems.append(f"port {port} {options}: {reply.status} host {got} path {reply.field('path')}")
    assert not problems, "\n".join(problems)


# --- stickiness -----------------------------------------------------------------------------------------


def cookies(reply: HttpResult) -> dict[str, str]:
    """name -> the whole Set-Cookie line, for every Set-Cookie of the reply."""
    return {v.split("=", 1)[0]: v for k, v in reply.headers if k.lower() == "set-cookie"}


def cookie_header(reply: HttpResult, name: str) -> str:
    return "Cookie: " + cookies(reply)[name].split(";", 1)[0]


def assert_alb_cookie(line: str) -> None:
    """ "Application Load Balancers use the Expires attribute in the cookie header instead of the Max-Age
    attribute"; the cookie "has its own expiry of 7 days which is non-configurable" (ALB
    sticky-sessions.html)."""
    attributes = dict(part.strip().partition("=")[::2] for part in line.split(";")[1:])
    assert "Max-Age" not in attributes and attributes["Path"] == "/", line
    expires = parsedate_to_datetime(attributes["Expires"])
    assert abs(expires - (datetime.now(UTC) + timedelta(days=7))) < timedelta(minutes=2), line


def sticky(duration_s: int = 60) -> TargetGroup:
    return web(
        **{
            "stickiness.enabled": "true",
            "stickiness.type": "lb_cookie",
            "stickiness.lb_cookie.duration_seconds": str(duration_s),
        }
    )


def test_lb_cookie_on_every_response_with_expires(make_plane: MakePlane) -> None:
    """AWSALB (and AWSALBCORS, ``SameSite=None; Secure``) on every response, its expiry reset each time
    (ALB sticky-sessions.html)."""
    plane = make_plane(stack(groups=(sticky(),)))
    first = plane.curl("/")
    for name in ("AWSALB", "AWSALBCORS"):
        assert_alb_cookie(cookies(first)[name])
    assert "SameSite=None; Secure" in cookies(first)["AWSALBCORS"]
    pinned = cookie_header(first, "AWSALB")
    for _ in range(4):
        again = plane.curl("/", headers=[pinned])
        assert again.field("instance") == first.field("instance")
        assert_alb_cookie(cookies(again)["AWSALB"])


def test_cookie_naming_an_unhealthy_target_routes_as_without(make_plane: MakePlane) -> None:
    """ "If the cookie ... refers to a target that was deregistered or is unhealthy, the load balancer
    selects a new target and updates the cookie with information about the new target" (ALB
    sticky-sessions.html)."""
    plane = make_plane(stack(groups=(sticky(),)))
    plane.wait_all_healthy()
    to_a = next(r for r in (plane.curl("/") for _ in range(4)) if r.field("instance") == "i-aaa")
    pinned = cookie_header(to_a, "AWSALB")
    plane.fail("i-aaa", "unhealthy")
    plane.wait_health(lambda h: h["web"]["i-aaa:80"] == "unhealthy", timeout=10)
    moved = plane.curl("/", headers=[pinned])
    assert moved.field("instance") == "i-bbb"
    assert cookie_header(moved, "AWSALB") != pinned
    assert plane.curl("/", headers=[cookie_header(moved, "AWSALB")]).field("instance") == "i-bbb"


def test_cookie_naming_a_deregistered_target_routes_as_without(make_plane: MakePlane) -> None:
    """As above, for a target that was deregistered (ALB sticky-sessions.html)."""
    plane = make_plane(stack(groups=(sticky(),)))
    to_a = next(r for r in (plane.curl("/") for _ in range(4)) if r.field("instance") == "i-aaa")
    pinned = cookie_header(to_a, "AWSALB")
    plane.converge(stack(groups=(dataclasses.replace(sticky(), targets=sticky().targets[1:]),)))
    moved = plane.curl("/", headers=[pinned])
    assert moved.field("instance") == "i-bbb" and cookie_header(moved, "AWSALB") != pinned


def test_cookie_past_its_duration_routes_as_without(make_plane: MakePlane) -> None:
    """stickiness.lb_cookie.duration_seconds: how long requests stick (ALB sticky-sessions.html); the
    7-day Expires is the cookie's own, the duration is checked by the load balancer."""
    # The cookie holds the end of its duration in whole seconds: 3 s leaves a pinned request at least 2 s
    # of room on a busy machine, whatever the fraction of the second the cookie was issued in.
    plane = make_plane(stack(groups=(sticky(duration_s=3),)))
    first = plane.curl("/")
    pinned = cookie_header(first, "AWSALB")
    assert plane.curl("/", headers=[pinned]).field("instance") == first.field("instance")
    time.sleep(4.1)
    seen = {plane.curl("/", headers=[pinned]).field("instance") for _ in range(4)}
    assert seen == {"i-aaa", "i-bbb"}


def test_group_cookie_on_every_response_with_expires(make_plane: MakePlane) -> None:
    """AWSALBTG for target group stickiness of a weighted forward (ALB load-balancer-listeners.html,
    sticky-sessions.html): on every response, Expires, never Max-Age."""
    groups = (target_group("blue", ("i-aaa",)), target_group("green", ("i-bbb",)))
    plane = make_plane(stack(groups=groups, default=forward(("blue", 50), ("green", 50), sticky_s=300)))
    first = plane.curl("/")
    for name in ("AWSALBTG", "AWSALBTGCORS"):
        assert_alb_cookie(cookies(first)[name])
    pinned = cookie_header(first, "AWSALBTG")
    for _ in range(6):
        again = plane.curl("/", headers=[pinned])
        assert again.field("instance") == first.field("instance")
        assert_alb_cookie(cookies(again)["AWSALBTG"])


# --- the forgiving option ---------------------------------------------------------------------------------


def test_retry_option_is_off_by_default_and_set_by_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(RETRY_ENV, raising=False)
    assert DataPlane(stack(), tmp_path / "a").retry_failed_requests is False
    monkeypatch.setenv(RETRY_ENV, "1")
    assert DataPlane(stack(), tmp_path / "b").retry_failed_requests is True
    assert DataPlane(stack(), tmp_path / "c", retry_failed_requests=False).retry_failed_requests is False
    monkeypatch.setenv(RETRY_ENV, "maybe")
    with pytest.raises(DataPlaneError, match=RETRY_ENV):
        DataPlane(stack(), tmp_path / "d")


def test_retry_option_survives_attach(tmp_path: Path) -> None:
    with plane_maker(tmp_path, retry_failed_requests=True) as make:
        plane = make(stack(groups=(web(),)))
        again = DataPlane.attach(plane.stack, plane.run_dir)
        assert again.retry_failed_requests is True
        assert "retries 2" in (plane.sock_dir / "n0.cfg").read_text()
