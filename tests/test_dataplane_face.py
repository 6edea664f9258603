"""The public face: bad arguments become one-line DataPlaneErrors; the read-only views and owner names."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import Path

import pytest
from plane_factories import assert_torn_down, stack, target_group

import alblab.dataplane as face
from alblab.dataplane import DataPlane, DataPlaneError, availability
from alblab.dataplane.backends import check_mode
from alblab.dataplane.client import curl_argv
from alblab.dataplane.views import TargetHost, resolve_owner
from alblab.model import Target

HOSTS = {
    "i-aaa": TargetHost("i-aaa", "10.0.11.4", "instance", "us-east-1a", "lab-web-a"),
    "i-bbb": TargetHost("i-bbb", "10.0.12.4", "instance", "us-east-1b", "lab-web-b"),
    "192.168.50.10": TargetHost("192.168.50.10", "192.168.50.10", "iptarget", "all", ""),
}


def one_line(exc: pytest.ExceptionInfo[DataPlaneError]) -> str:
    text = str(exc.value)
    assert text and "\n" not in text
    return text


def test_every_public_name_resolves() -> None:
    for name in face.__all__:
        assert getattr(face, name) is not None
    assert availability() is None or "\n" not in str(availability())
    assert face.run_mode() in ("root", "rootless")


@pytest.mark.parametrize(
    ("name", "owner"),
    [
        ("i-aaa", "i-aaa"),
        ("lab-web-b", "i-bbb"),
        ("web-a", "i-aaa"),
        ("a", "i-aaa"),
        ("10.0.12.4", "i-bbb"),
        ("192.168.50.10", "192.168.50.10"),
    ],
)
def test_resolve_owner_accepts_ids_names_suffixes_and_ips(name: str, owner: str) -> None:
    assert resolve_owner(HOSTS, name) == owner


def test_unknown_owner_lists_the_known_ones() -> None:
    with pytest.raises(DataPlaneError) as exc:
        resolve_owner(HOSTS, "i-zzz")
    assert "i-aaa (lab-web-a), i-bbb (lab-web-b), 192.168.50.10" in one_line(exc)


@pytest.mark.parametrize("mode", ["slow:abc", "slow:", "slow:-5", "sleepy", ""])
def test_bad_failure_modes(mode: str) -> None:
    with pytest.raises(DataPlaneError, match="unknown mode") as exc:
        check_mode(mode)
    one_line(exc)


@pytest.mark.parametrize("mode", ["healthy", "unhealthy", "dead", "slow:250"])
def test_good_failure_modes(mode: str) -> None:
    assert check_mode(mode) == mode


@pytest.mark.parametrize(
    ("headers", "method", "match"),
    [
        (["NoColon"], "GET", "not 'Name: value'"),
        (["Bad Name: x"], "GET", "not 'Name: value'"),
        (["X-Ok: a\r\nInjected: b"], "GET", "line break"),
        ([], "GET /x", "not an HTTP method"),
    ],
)
def test_bad_request_arguments(headers: list[str], method: str, match: str) -> None:
    with pytest.raises(DataPlaneError, match=match) as exc:
        curl_argv("http://a/", method, None, headers, None, 1.0)
    one_line(exc)


def test_bad_prefix_and_no_plane_to_attach(tmp_path: Path) -> None:
    with pytest.raises(DataPlaneError, match="prefix"):
        DataPlane(stack(), tmp_path, prefix="Bad-Prefix!")
    with pytest.raises(DataPlaneError, match="no data plane is up"):
        DataPlane.attach(stack(), tmp_path)


@pytest.fixture(scope="module")
def plane(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DataPlane]:
    if availability() is not None:
        pytest.skip(str(availability()))
    onprem = dataclasses.replace(
        target_group("onprem", ()), target_type="ip", targets=(Target("192.168.50.10", 80, "all"),)
    )
    s = stack(groups=(target_group("web", ("i-aaa", "i-bbb")), onprem))
    for iid, inst in s.instances.items():
        s.instances[iid] = dataclasses.replace(inst, name=f"lab-web-{iid[-1]}")
    plane = DataPlane(s, tmp_path_factory.mktemp("face") / "plane", connect_timeout_s=1.0).up()
    pids = list(plane.processes.values())
    yield plane
    plane.down()
    assert_torn_down(plane, pids)


@pytest.mark.dataplane
def test_views_replace_the_topology(plane: DataPlane) -> None:
    assert [(n.name, n.ip, n.az) for n in plane.alb_nodes] == [
        ("n0", "10.0.1.254", "us-east-1a"),
        ("n1", "10.0.2.254", "us-east-1b"),
    ]
    assert plane.alb_node_ips == ["10.0.1.254", "10.0.2.254"]
    assert plane.client_ip == "198.51.100.7"
    assert {o: (t.ip, t.role) for o, t in plane.targets.items()} == {
        "i-aaa": ("10.0.11.4", "instance"),
        "i-bbb": ("10.0.12.4", "instance"),
        "192.168.50.10": ("192.168.50.10", "iptarget"),
    }
    assert plane.resolve_owner("10.0.11.4") == "i-aaa"
    assert plane.address_of("web-b") == "10.0.12.4"
    assert plane.mode in ("root", "rootless") and plane.prefix.startswith("al")
    assert set(plane.processes) >= {"haproxy n0", "haproxy n1", "backend i-aaa", "backend 192.168.50.10"}


@pytest.mark.dataplane
@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda p: p.curl("/", port=443), "no listener on port 443; listeners: 80"),
        (lambda p: p.curl("no-slash"), "must start with '/'"),
        (lambda p: p.curl("/", headers=["NoColon"]), "not 'Name: value'"),
        (lambda p: p.probe("i-aaa", 99999), "not a TCP port"),
        (lambda p: p.probe("i-zzz"), r"known: i-aaa \(lab-web-a\), i-bbb \(lab-web-b\), 192.168.50.10"),
        (lambda p: p.fail("i-zzz"), "no instance or IP target 'i-zzz'"),
        (lambda p: p.fail("i-aaa", "slow:abc"), "unknown mode 'slow:abc'"),
        (lambda p: p.fail("i-aaa", "sleepy"), "unknown mode"),
        (lambda p: p.node_exec("n9", ["true"]), "no ALB node 'n9'; known: n0, n1"),
        (lambda p: p.url("/", port=8080), "no listener on port 8080"),
    ],
)
def test_bad_arguments_are_one_line_errors(plane: DataPlane, call, match: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(DataPlaneError, match=match) as exc:
        call(plane)
    one_line(exc)


@pytest.mark.dataplane
def test_slow_mode_and_heal_by_name(plane: DataPlane) -> None:
    plane.fail("i-aaa", "slow:300")
    try:
        took = [plane.curl("/", timeout=5).field("instance") for _ in range(2)]
        assert set(took) == {"i-aaa", "i-bbb"}
    finally:
        plane.heal("a")  # the Name-tag suffix form works wherever an owner is taken
    assert plane.probe("192.168.50.10") == "open"  # an on-prem IP target has no SG


@pytest.mark.dataplane
def test_config_haproxy_rejects_is_one_line_and_up_leaves_nothing(tmp_path: Path) -> None:
    if availability() is not None:
        pytest.skip(str(availability()))
    s = stack()
    lb = s.load_balancer
    # Two listeners on one port: AWS refuses that, HAProxy too (a duplicate frontend).
    s = dataclasses.replace(s, load_balancer=dataclasses.replace(lb, listeners=lb.listeners * 2))
    plane = DataPlane(s, tmp_path / "plane")
    with pytest.raises(DataPlaneError, match="HAProxy rejects the config of node n0") as exc:
        plane.up()
    assert "[ALERT]" not in one_line(exc)
    assert_torn_down(plane, list(plane.processes.values()))
