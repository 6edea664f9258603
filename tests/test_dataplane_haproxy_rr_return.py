"""Round robin after a target returns: ALB puts a healed target straight back into the alternation, it does
not let it answer a run of requests to "catch up" on the ones it missed while unhealthy."""

from __future__ import annotations

import itertools
import time
from pathlib import Path

import pytest
from haproxy_helpers import REAL_HAPROXY, backends, forward, free_port, haproxy, listener, request, stack, tg

from alblab.dataplane.haproxy import backend_name, reload, server_health, server_name
from alblab.model import HealthCheck, Target

pytestmark = REAL_HAPROXY

INTERVAL, FALL, RISE = 1, 2, 2


def wait_state(admin_sock: Path, key: tuple[str, str], wanted: str, limit: float) -> None:
    start = time.monotonic()
    while time.monotonic() - start < limit:
        # Exact match: "UP 1/2" (going down) and "DOWN 1/2" (rising) are transitions, not the state we want.
        if server_health(admin_sock).get(key, "") == wanted:
            return
        time.sleep(0.05)
    raise AssertionError(f"{key} not {wanted} within {limit}s: {server_health(admin_sock)}")


# With `balance roundrobin` (fwrr), a reload while A is DOWN followed by exactly 16 requests to B left B
# parked for the next round and A alone in the current one: A then answered 8 requests in a row (every
# run). The other cases are where the plain alternation already held; they guard against regressions.
@pytest.mark.parametrize(
    ("reload_while_down", "served_while_down"), [(False, 0), (False, 7), (True, 7), (True, 16)]
)
def test_healed_target_alternates_at_once(
    tmp_path: Path, reload_while_down: bool, served_while_down: int
) -> None:
    with backends(tmp_path, [("A", "127.0.0.2"), ("B", "127.0.0.3")]) as apps:
        hc = HealthCheck(
            path="/health", interval=INTERVAL, timeout=1, healthy_threshold=RISE, unhealthy_threshold=FALL
        )
        group = tg("rr", [(a.ip, a.port) for a in apps.values()], health=hc)
        port = free_port()
        st = stack([listener(port, forward(group))], [group])
        with haproxy(tmp_path, st) as node:
            admin = node.node.admin_sock
            key_a = (backend_name(group), server_name(Target(apps["A"].ip, apps["A"].port), apps["A"].port))
            wait_state(admin, key_a, "UP", 5)
            assert {request(port).json()["name"] for _ in range(4)} == {"A", "B"}

            apps["A"].set_health(500)
            wait_state(admin, key_a, "DOWN", (FALL + 1) * INTERVAL + 1)
            if reload_while_down:
                # The data plane reloads on any config change; the saved state keeps A DOWN.
                node.write(st)
                reload(node.node.master_sock, admin, state_file=node.node.state_file)
                assert server_health(admin)[key_a].startswith("DOWN")
            down = [request(port).json()["name"] for _ in range(served_while_down)]
            assert down == ["B"] * served_while_down

            apps["A"].set_health(200)
            wait_state(admin, key_a, "UP", (RISE + 1) * INTERVAL + 1)
            got = [request(port).json()["name"] for _ in range(8)]
            assert set(got) == {"A", "B"}, f"not alternating after A returned: {got}"
            assert all(a != b for a, b in itertools.pairwise(got)), f"not alternating after A returned: {got}"
