"""The data plane on the applied examples: what a user of the module would see through a real ALB.

State comes only from the emulator's API (``AppliedExample.stack()`` → ``alblab.state.read_stack``).
"""

from __future__ import annotations

import collections
import itertools
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from plane_factories import assert_torn_down

from alblab import examples as ex
from alblab.dataplane import DataPlane, availability
from alblab.workspace import Workspace

pytestmark = [
    pytest.mark.dataplane,
    pytest.mark.apply,
    pytest.mark.skipif(availability() is not None, reason=str(availability())),
]
OPEN_SG = Path(__file__).parent / "fixtures" / "open-sg"
CLIENT_IP = "198.51.100.7"


def example(applied: dict[str, ex.AppliedExample], name: str) -> ex.AppliedExample:
    item = applied[name]
    if item.error is not None:
        pytest.fail(f"{name} did not apply: {item.error}")
    return item


@pytest.fixture
def plane_for(applied: dict[str, ex.AppliedExample], tmp_path: Path) -> Iterator[object]:
    planes: list[DataPlane] = []

    def make(name: str) -> DataPlane:
        item = example(applied, name)
        plane = DataPlane(
            item.stack(), tmp_path / name, key_dir=item.workspace.key_dir, connect_timeout_s=1.0
        )
        planes.append(plane)
        return plane.up()

    yield make
    for plane in planes:
        pids = list(plane.processes.values())
        plane.down()
        assert_torn_down(plane, pids)


def seen(plane: DataPlane, n: int, path: str = "/", key: str = "instance", **kw: object) -> list[str]:
    out = []
    for _ in range(n):
        reply = plane.curl(path, **kw)  # type: ignore[arg-type]
        assert reply.field(key) is not None, f"{path}: {reply.status_line}\n{reply.body[:300]}"
        out.append(str(reply.field(key)))
    return out


def test_basic_round_robin_xff_and_sg(plane_for, applied) -> None:  # type: ignore[no-untyped-def]
    plane = plane_for("basic")
    ids = sorted(example(applied, "basic").summary["instance_ids"].values())
    got = seen(plane, 6)
    assert sorted(set(got)) == ids
    assert all(a != b for a, b in itertools.pairwise(got)), f"not alternating: {got}"
    reply = plane.curl("/hello")
    assert reply.fields()["x-forwarded-for"][-1].split(", ")[-1] == CLIENT_IP
    for instance in ids:
        assert plane.probe(instance, 80) == "blocked", instance
        assert plane.curl("/").status == 200


def test_basic_sg_opened_by_terraform_then_closed(plane_for, applied, work_root: Path) -> None:  # type: ignore[no-untyped-def]
    item = example(applied, "basic")
    plane = plane_for("basic")
    instance = sorted(item.summary["instance_ids"].values())[0]
    target_sg = item.summary["security_group_ids"]["targets"]
    assert plane.probe(instance) == "blocked"
    endpoint = item.clients.ec2.meta.endpoint_url
    ws = Workspace.prepare(
        OPEN_SG,
        f"{item.name}-open",
        work_root / "open-sg",
        endpoint,
        extra_vars={"security_group_id": target_sg},
        access_key=item.handle.access_key,  # the group is in the stack's own emulated account
    )
    ws.runner.init()
    try:
        ws.runner.apply()
        t0 = time.monotonic()
        plane.converge(item.stack())
        opened_s = time.monotonic() - t0
        assert plane.probe(instance) == "open"
    finally:
        ws.runner.destroy()
    t0 = time.monotonic()
    plane.converge(item.stack())
    closed_s = time.monotonic() - t0
    assert plane.probe(instance) == "blocked"
    # Printed, not asserted: speed is measured by benchmarks/dataplane.py (goal 1 s; docs/benchmarks.md),
    # and this read of the API state shares the emulator with every example the suite applies meanwhile.
    print(f"apply->converged: open {opened_s:.2f} s, close {closed_s:.2f} s (read_stack + re-render + nft)")


def test_basic_failed_instance_left_out_and_back(plane_for, applied) -> None:  # type: ignore[no-untyped-def]
    plane = plane_for("basic")
    instance = sorted(example(applied, "basic").summary["instance_ids"].values())[0]
    tg = next(iter(plane.stack.target_groups.values()))
    hc = tg.health_check
    key = f"{instance}:80"
    plane.wait_health(lambda h: h[tg.name][key] == "healthy", timeout=hc.interval * hc.healthy_threshold + 5)
    plane.fail(instance)
    budget = hc.interval * hc.unhealthy_threshold
    took = plane.wait_health(lambda h: h[tg.name][key] == "unhealthy", timeout=budget + 5)
    assert took <= budget + 1.0, f"left out after {took:.1f} s, budget {budget} s"
    assert instance not in seen(plane, 4)
    plane.heal(instance)
    plane.wait_health(lambda h: h[tg.name][key] == "healthy", timeout=hc.interval * hc.healthy_threshold + 2)
    assert instance in seen(plane, 4)


def test_path_routing_targets_and_fixed_response(plane_for) -> None:  # type: ignore[no-untyped-def]
    plane = plane_for("path-routing")
    # Target groups are named "<name>-<key>-<4 hex digits>".
    members = {
        tg.name.rsplit("-", 2)[1]: {t.id for t in tg.targets} for tg in plane.stack.target_groups.values()
    }
    assert set(seen(plane, 4, "/mobile/index.html")) <= members["mobile"]
    assert set(seen(plane, 4, "/desktop/index.html")) <= members["desktop"]
    default = plane.stack.listener(80).default_action.fixed_response
    assert default is not None
    reply = plane.curl("/nowhere")
    assert (reply.status, reply.body) == (default.status_code, default.message_body)


def test_complete_weighted_split_and_stickiness(plane_for, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    plane = plane_for("complete")
    # Canary rule: weighted forward blue (port 80) 80 / green (port 8080) 20; both groups hold the same
    # instances, so the port the backend answered on tells the group. No cookie jar: every request draws anew.
    n = 150
    ports = collections.Counter(seen(plane, n, "/", key="port", port=443, headers=["X-Canary: true"]))
    share = ports["80"] / n
    assert abs(share - 0.8) <= 0.12, ports  # binomial sd 3.3 %: ±12 % is > 3.5 sd
    # Default action: blue with lb_cookie stickiness: one client (cookie jar) stays on one instance.
    jar = tmp_path / "jar"
    assert len(set(seen(plane, 6, "/", port=443, cookie_jar=jar))) == 1
