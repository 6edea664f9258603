"""Health checks on loopback: a target failing its check leaves within interval x unhealthy threshold and
comes back after the healthy threshold; every target unhealthy = ALB fail-open; no target at all = 503."""

from __future__ import annotations

import time
from collections import Counter
from pathlib import Path

from haproxy_helpers import REAL_HAPROXY, backends, forward, free_port, haproxy, listener, request, stack, tg

from alblab.dataplane.haproxy import backend_name, reload, server_health, server_name
from alblab.dataplane.haproxy.runtime import cli
from alblab.model import HealthCheck, Target

pytestmark = REAL_HAPROXY

INTERVAL, FALL, RISE = 1, 2, 2


def wait_state(admin_sock: Path, key: tuple[str, str], wanted: str, limit: float) -> float:
    start = time.monotonic()
    while time.monotonic() - start < limit:
        if server_health(admin_sock).get(key, "").split(" ")[0] == wanted:
            return time.monotonic() - start
        time.sleep(0.05)
    raise AssertionError(f"{key} not {wanted} within {limit}s: {server_health(admin_sock)}")


def test_unhealthy_target_leaves_and_returns(tmp_path: Path) -> None:
    with backends(tmp_path, [("A", "127.0.0.2"), ("B", "127.0.0.3")]) as apps:
        hc = HealthCheck(
            path="/health",
            matcher="200-202",
            interval=INTERVAL,
            timeout=1,
            healthy_threshold=RISE,
            unhealthy_threshold=FALL,
        )
        group = tg("hc", [(a.ip, a.port) for a in apps.values()], health=hc)
        port = free_port()
        with haproxy(tmp_path, stack([listener(port, forward(group))], [group])) as node:
            admin = node.node.admin_sock
            key_a = (backend_name(group), server_name(Target(apps["A"].ip, apps["A"].port), apps["A"].port))
            wait_state(admin, key_a, "UP", 5)

            apps["A"].set_health(500)
            # Out after FALL failed checks: FALL x INTERVAL, plus up to one interval of phase.
            took = wait_state(admin, key_a, "DOWN", (FALL + 1) * INTERVAL + 1)
            assert took <= (FALL + 1) * INTERVAL + 1
            assert Counter(request(port).json()["name"] for _ in range(10)) == Counter({"B": 10})

            apps["A"].set_health(202)  # inside the "200-202" matcher
            wait_state(admin, key_a, "UP", (RISE + 1) * INTERVAL + 1)
            assert {request(port).json()["name"] for _ in range(6)} == {"A", "B"}

            # ALB fails open: with every target unhealthy it routes to all of them.
            for app in apps.values():
                app.set_health(500)
            for app in apps.values():
                wait_state(admin, (key_a[0], server_name(Target(app.ip, app.port), app.port)), "DOWN", 4)
            replies = [request(port) for _ in range(6)]
            assert all(r.status == 200 for r in replies)
            assert {r.json()["name"] for r in replies} == {"A", "B"}


def test_reload_keeps_health_states(tmp_path: Path) -> None:
    with backends(tmp_path, [("A", "127.0.0.2"), ("B", "127.0.0.3")]) as apps:
        # HAProxy 2.6 checks right after a (re)start, then every interval. A is DOWN but answers 200 again:
        # without the saved state the new worker starts A UP and one passing check keeps it there; with it,
        # A needs its healthy threshold (2 checks, 10 s apart) first.
        hc = HealthCheck(path="/health", interval=10, timeout=1, healthy_threshold=2, unhealthy_threshold=2)
        group = tg("keep", [(a.ip, a.port) for a in apps.values()], health=hc)
        port = free_port()
        st = stack([listener(port, forward(group))], [group])
        with haproxy(tmp_path, st) as node:
            admin = node.node.admin_sock
            a = server_name(Target(apps["A"].ip, apps["A"].port), apps["A"].port)
            cli(admin, f"set server {backend_name(group)}/{a} health down")
            assert server_health(admin)[(backend_name(group), a)] == "DOWN"
            node.write(st)
            reload(node.node.master_sock, admin, state_file=node.node.state_file)
            assert server_health(admin)[(backend_name(group), a)].startswith("DOWN")
            assert Counter(request(port).json()["name"] for _ in range(10)) == Counter({"B": 10})


def test_target_group_without_targets_answers_503(tmp_path: Path) -> None:
    empty = tg("empty", [])
    port = free_port()
    with haproxy(tmp_path, stack([listener(port, forward(empty))], [empty])):
        assert request(port).status == 503
