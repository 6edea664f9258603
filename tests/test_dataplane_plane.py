"""The data plane on hand-built Stacks: routing, XFF, SG enforcement, convergence, failover, teardown."""

from __future__ import annotations

import collections
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from plane_factories import (
    FAST_HC,
    fixed_rule,
    forward,
    path_rule,
    plane_maker,
    security_groups,
    stack,
    target_group,
)

from alblab.dataplane import DataPlane, availability
from alblab.model import SgRule, Stack

pytestmark = [
    pytest.mark.dataplane,
    pytest.mark.skipif(availability() is not None, reason=str(availability())),
]


@pytest.fixture
def make_plane(tmp_path: Path) -> Iterator[object]:
    with plane_maker(tmp_path) as make:
        yield make


def instances_seen(plane: DataPlane, n: int, path: str = "/", **kw: object) -> list[str]:
    return [str(plane.curl(path, **kw).field("instance")) for _ in range(n)]  # type: ignore[arg-type]


def test_round_robin_and_xff(make_plane) -> None:  # type: ignore[no-untyped-def]
    plane = make_plane(stack())
    seen = instances_seen(plane, 6)
    assert seen in (["i-aaa", "i-bbb"] * 3, ["i-bbb", "i-aaa"] * 3), seen
    reply = plane.curl("/page", headers=["X-Forwarded-For: 203.0.113.9"])
    # ALB "append" mode: the client's own XFF value stays, the client namespace's address comes last
    # (whether as one comma-joined line or as a second header line).
    assert ", ".join(reply.fields()["x-forwarded-for"]) == "203.0.113.9, 198.51.100.7"
    assert reply.field("peer") in plane.alb_node_ips
    assert reply.field("path") == "/page"


def test_direct_access_blocked_through_alb_open(make_plane) -> None:  # type: ignore[no-untyped-def]
    plane = make_plane(stack())
    for instance in ("i-aaa", "i-bbb"):
        assert plane.probe(instance, 80) == "blocked"
    assert {plane.curl("/").status for _ in range(2)} == {200}


def test_alb_egress_only_to_targets(make_plane) -> None:  # type: ignore[no-untyped-def]
    plane = make_plane(stack())
    node = plane.alb_nodes[0].name
    argv = ["curl", "-sS", "-o", "/dev/null", "--connect-timeout", "1", "-w", "%{http_code}"]
    to_target = plane.node_exec(node, [*argv, "http://10.0.11.4/"])
    assert (to_target.returncode, to_target.stdout) == (0, "200")
    # The client namespace is not in the target SG: the ALB node may not open a connection to it.
    assert plane.node_exec(node, [*argv, f"http://{plane.client_ip}:9/"]).returncode == 28


def test_sg_change_converges_open_then_blocked(make_plane) -> None:  # type: ignore[no-untyped-def]
    plane = make_plane(stack())
    assert not plane.reach("i-aaa")
    open_rule = SgRule("ingress", "tcp", 80, 80, cidr_ipv4="0.0.0.0/0")
    times = plane.converge(stack(sgs=security_groups(target_ingress_extra=(open_rule,))))
    assert plane.reach("i-aaa") and plane.reach("i-bbb")
    # Printed, not asserted: the time to converge is measured by benchmarks/dataplane.py (docs/benchmarks.md);
    # on a loaded machine a bound here fails for reasons that are not ours.
    print(f"converged in {times['total_s']:.2f} s: {times}")
    plane.converge(stack())
    assert plane.probe("i-aaa") == "blocked"


def test_path_rules_and_fixed_response(make_plane) -> None:  # type: ignore[no-untyped-def]
    groups = (target_group("mobile", ("i-aaa",)), target_group("desktop", ("i-bbb",)))
    rules = (
        path_rule(1, "/mobile*", forward(("mobile", 1))),
        path_rule(2, "/desktop*", forward(("desktop", 1))),
        fixed_rule(3, "/admin*", 403, "go away"),
    )
    plane = make_plane(stack(rules=rules, groups=groups))
    assert set(instances_seen(plane, 3, "/mobile/x")) == {"i-aaa"}
    assert set(instances_seen(plane, 3, "/desktop/x")) == {"i-bbb"}
    denied = plane.curl("/admin/x")
    assert (denied.status, denied.body) == (403, "go away")


def test_failed_instance_left_out_then_back(make_plane) -> None:  # type: ignore[no-untyped-def]
    plane = make_plane(stack())
    plane.wait_all_healthy(10)
    plane.fail("i-aaa")
    budget = FAST_HC.interval * FAST_HC.unhealthy_threshold
    took = plane.wait_health(lambda h: h["web"]["i-aaa:80"] == "unhealthy", timeout=budget + 2)
    assert took <= budget + 1.5, took
    assert set(instances_seen(plane, 4)) == {"i-bbb"}
    plane.heal("i-aaa")
    plane.wait_health(lambda h: h["web"]["i-aaa:80"] == "healthy", timeout=FAST_HC.interval * 2 + 3)
    assert set(instances_seen(plane, 4)) == {"i-aaa", "i-bbb"}


def statuses_while_a_target_dies(plane: DataPlane) -> collections.Counter[int]:
    """Sequential requests for ~3 s (bounded); i-aaa dies after 0.5 s."""
    statuses: collections.Counter[int] = collections.Counter()
    start = time.monotonic()
    killed = False
    while time.monotonic() - start < 3.0:
        if not killed and time.monotonic() - start > 0.5:
            plane.fail("i-aaa", "dead")
            killed = True
        statuses[plane.curl("/").status] += 1
    return statuses


def test_dead_backend_under_load_502_until_its_checks_fail(make_plane) -> None:  # type: ignore[no-untyped-def]
    """As ALB: a refused connection is a 502 at once, never retried elsewhere, until the health checks
    take the target out (https://docs.aws.amazon.com/elasticloadbalancing/latest/application/
    load-balancer-troubleshooting.html, HTTP 502)."""
    plane = make_plane(stack())
    statuses = statuses_while_a_target_dies(plane)
    assert set(statuses) == {200, 502} and statuses[200] > statuses[502] > 0, statuses
    plane.wait_health(lambda h: h["web"]["i-aaa:80"] == "unhealthy", timeout=10)
    assert {plane.curl("/").status for _ in range(6)} == {200}


def test_dead_backend_under_load_no_failed_request_with_retries(tmp_path: Path) -> None:
    """The forgiving option (off by default): a request that failed on one target is sent to another."""
    with plane_maker(tmp_path, retry_failed_requests=True) as make:
        statuses = statuses_while_a_target_dies(make(stack()))
    assert set(statuses) == {200}, statuses


def test_weighted_forward_split(make_plane) -> None:  # type: ignore[no-untyped-def]
    groups = (target_group("blue", ("i-aaa",)), target_group("green", ("i-bbb",)))
    plane = make_plane(stack(groups=groups, default=forward(("blue", 80), ("green", 20))))
    n = 200
    counts = collections.Counter(instances_seen(plane, n))
    share = counts["i-aaa"] / n
    # Binomial(200, 0.8): sd 2.8 %; ±10 % is > 3.5 sd.
    assert abs(share - 0.8) <= 0.10, counts


def test_stickiness_keeps_client_on_one_target(make_plane, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    sticky = {"stickiness.enabled": "true", "stickiness.type": "lb_cookie"}
    plane = make_plane(stack(groups=(target_group("web", ("i-aaa", "i-bbb"), sticky),)))
    jar = tmp_path / "jar"
    assert len(set(instances_seen(plane, 6, cookie_jar=jar))) == 1
    assert len(set(instances_seen(plane, 6))) == 2  # no cookie: still round robin


def test_converge_under_load_drops_no_request(make_plane) -> None:  # type: ignore[no-untyped-def]
    def with_rule(version: int) -> Stack:
        return stack(rules=(fixed_rule(1, "/version", 200, f"v{version}"),))

    plane = make_plane(with_rule(0))
    statuses: collections.Counter[int | str] = collections.Counter()
    stop = threading.Event()

    def load() -> None:
        deadline = time.monotonic() + 20  # bounded even if the main thread dies
        while not stop.is_set() and time.monotonic() < deadline:
            try:
                statuses[plane.curl("/").status] += 1
            except Exception as exc:  # a refused or reset connection is exactly what must not happen
                statuses[f"{type(exc).__name__}: {exc}"[:160]] += 1

    worker = threading.Thread(target=load)
    worker.start()
    try:
        for version in range(1, 4):
            times = plane.converge(with_rule(version))
            assert times["nodes_reloaded"] == 2
            assert plane.curl("/version").body == f"v{version}"
    finally:
        stop.set()
        worker.join()
    assert set(statuses) == {200} and statuses[200] > 3, statuses
