"""Self-healing: a node, a backend, a namespace or the rootless holder dies; health() says so without
raising, and repair() (also run by attach() and converge()) brings it back."""

from __future__ import annotations

import itertools
import os
import signal
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from plane_factories import assert_torn_down, stack

from alblab.dataplane import DataPlane, availability
from alblab.dataplane.netns import IP
from alblab.dataplane.procs import alive

pytestmark = [
    pytest.mark.dataplane,
    pytest.mark.skipif(availability() is not None, reason=str(availability())),
]


@pytest.fixture
def plane(tmp_path: Path) -> Iterator[DataPlane]:
    plane = DataPlane(stack(), tmp_path / "plane", connect_timeout_s=1.0).up()
    pids: set[int] = set()
    try:
        yield plane
    finally:
        pids |= set(plane.processes.values())
        plane.down()
        assert_torn_down(plane, sorted(pids))


def until(check: Callable[[], bool], timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.05)


def alternates(plane: DataPlane) -> bool:
    seen = [plane.curl("/").field("instance") for _ in range(4)]
    return set(seen) == {"i-aaa", "i-bbb"} and all(a != b for a, b in itertools.pairwise(seen))


def test_killed_node_reported_down_then_restarted(plane: DataPlane) -> None:
    os.kill(plane.processes["haproxy n0"], signal.SIGKILL)
    # The worker follows its master within moments; health() must say so, never raise.
    until(lambda: plane.health()["web"]["i-aaa:80"]["n0"] == "node-down")
    assert plane.health()["web"]["i-aaa:80"]["n1"] in ("healthy", "unhealthy")
    fixed = plane.repair()
    assert any("ALB node n0" in line for line in fixed), fixed
    assert "node-down" not in plane.health()["web"]["i-aaa:80"].values()
    assert plane.repair() == []  # nothing else to do


def test_killed_backend_restarted_by_attach(plane: DataPlane) -> None:
    old = plane.processes["backend i-aaa"]
    os.kill(old, signal.SIGKILL)
    until(lambda: not alive(old))  # SIGKILL is delivered, not done, when kill() returns
    messages: list[str] = []
    attached = DataPlane.attach(plane.stack, plane.run_dir, progress=messages.append)
    assert any("i-aaa" in m and "restarted" in m for m in messages), messages
    assert attached.processes["backend i-aaa"] != old
    plane.wait_all_healthy(10)
    assert alternates(attached)
    pids = list(attached.processes.values())
    attached.down()
    assert_torn_down(attached, pids)


def test_deleted_namespace_rebuilt_with_its_rules(plane: DataPlane) -> None:
    ns = plane.topo.by_owner("i-bbb").ns
    plane._net.run([IP, "netns", "del", ns])  # the backend still runs in it, unreachable by name
    fixed = plane.repair()
    assert any("namespace of i-bbb" in line for line in fixed), fixed
    assert plane.probe("i-bbb") == "blocked"  # its security group is back too
    plane.wait_all_healthy(10)
    assert alternates(plane)


def test_converge_repairs_first(plane: DataPlane) -> None:
    os.kill(plane.processes["haproxy n1"], signal.SIGKILL)
    os.kill(plane.processes["backend i-bbb"], signal.SIGKILL)
    until(lambda: not alive(plane.processes["backend i-bbb"]))
    until(lambda: plane.health()["web"]["i-aaa:80"]["n1"] == "node-down")
    plane.converge(plane.stack)
    assert "node-down" not in plane.health()["web"]["i-aaa:80"].values()
    plane.wait_all_healthy(10)
    assert alternates(plane)


def test_killed_holder_rebuilds_everything(plane: DataPlane) -> None:
    if plane.mode != "rootless":
        pytest.skip("the holder exists in rootless mode only")
    holder = plane.processes["holder"]
    os.kill(holder, signal.SIGKILL)
    until(lambda: not alive(holder))
    fixed = plane.repair()
    assert fixed and "rebuilt the whole data plane" in fixed[0], fixed
    assert plane.processes["holder"] != holder
    assert alternates(plane)
    assert plane.probe("i-aaa") == "blocked"
