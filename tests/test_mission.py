"""The module's mission, per example, from the API's state: instances cannot be reached directly (only
through the ALB's SG), and every listener forwards to registered, healthy targets along the routes
the example declares."""

from __future__ import annotations

import ipaddress

import pytest

from alblab import examples as ex
from alblab.model import Stack
from alblab.verdicts.reach import GroupSource, InternetSource, can_reach
from alblab.verdicts.routing import Request, route

EXAMPLES = ex.list_examples()
pytestmark = pytest.mark.apply
OUTSIDER = "203.0.113.10"
PROBE_PORTS = (22, 80, 443, 8080)


@pytest.fixture(scope="module")
def stacks(applied: dict[str, ex.AppliedExample]) -> dict[str, Stack]:
    return {name: item.stack() for name, item in applied.items() if item.error is None}


def target_ports(stack: Stack, instance_id: str) -> set[int]:
    ports = set()
    for tg in stack.target_groups.values():
        for target in tg.targets:
            if target.id == instance_id:
                ports.add(target.port or tg.port or 80)
                hc = tg.health_check_port(target)
                if hc:
                    ports.add(hc)
    return ports


def alb_node_ip(stack: Stack) -> str:
    subnet = stack.subnets[stack.load_balancer.subnet_ids[0]]
    return str(ipaddress.ip_network(subnet.cidr_ipv4)[10])


@pytest.mark.parametrize("example", EXAMPLES)
def test_direct_instance_access_fails(
    applied: dict[str, ex.AppliedExample], stacks: dict[str, Stack], example: str
) -> None:
    applied[example].ok()
    stack = stacks[example]
    assert stack.instances
    for instance_id in stack.instances:
        for port in sorted(set(PROBE_PORTS) | target_ports(stack, instance_id)):
            verdict = can_reach(stack, InternetSource(OUTSIDER), instance_id, port)
            assert not verdict.allowed, f"{OUTSIDER} reaches {instance_id}:{port} directly: {verdict.reason}"


@pytest.mark.parametrize("example", EXAMPLES)
def test_alb_reaches_every_target_port(
    applied: dict[str, ex.AppliedExample], stacks: dict[str, Stack], example: str
) -> None:
    applied[example].ok()
    stack = stacks[example]
    node = alb_node_ip(stack)
    for instance_id in stack.instances:
        ports = target_ports(stack, instance_id)
        assert ports, f"{instance_id} is not a target of any target group"
        for port in ports:
            allowed = any(
                can_reach(stack, GroupSource(sg, node), instance_id, port, alb_node_ips=(node,)).allowed
                for sg in stack.load_balancer.security_group_ids
            )
            assert allowed, f"the ALB cannot reach {instance_id}:{port}"


@pytest.mark.parametrize("example", EXAMPLES)
def test_listeners_forward_to_healthy_registered_targets(
    applied: dict[str, ex.AppliedExample], stacks: dict[str, Stack], example: str
) -> None:
    item = applied[example].ok()
    stack = stacks[example]
    forwarded: set[str] = set()
    for listener in stack.load_balancer.listeners:
        for action in [listener.default_action, *(r.action for r in listener.rules)]:
            forwarded.update(g.target_group_arn for g in action.target_groups)
    assert forwarded, "no listener forwards anywhere"
    for arn in forwarded:
        tg = stack.target_groups[arn]
        assert tg.targets, f"target group {tg.name} has no registered target"
        unhealthy = [(t.id, t.health) for t in tg.targets if t.health != "healthy"]
        assert not unhealthy, f"{tg.name}: {unhealthy}"
    registered = {t.id for arn in forwarded for t in stack.target_groups[arn].targets}
    missing = set(item.summary["instance_ids"].values()) - registered
    assert not missing, f"instances behind no forwarding listener: {missing}"


@pytest.mark.parametrize("example", EXAMPLES)
def test_routes_as_the_example_declares(
    applied: dict[str, ex.AppliedExample], stacks: dict[str, Stack], example: str
) -> None:
    item = applied[example].ok()
    stack = stacks[example]
    routes = item.summary["routes"]
    assert routes, "the example declares no routes"
    names = item.summary.get("target_group_names", {})
    failures = []
    for r in routes:
        listener = stack.listener(int(r.get("listener_port") or 80))
        request = Request(
            method=r["method"],
            host=r["host"],
            path=r["path"],
            headers=dict(r.get("headers") or {}),
            query=list((r.get("query") or {}).items()),
            source_ip=r.get("source_ip") or "",
        )
        decision = route(listener, request)
        expect = r["expect"]
        action = decision.action
        got = action.type
        if got != expect["type"]:
            failures.append(f"{r['name']}: {got}, expected {expect['type']}")
            continue
        if got == "forward" and expect.get("target_group_key"):
            wanted = names.get(expect["target_group_key"], f"{item.name}-{expect['target_group_key']}")
            tgs = [stack.target_groups[g.target_group_arn].name for g in action.target_groups]
            if tgs != [wanted]:
                failures.append(f"{r['name']}: forwards to {tgs}, expected [{wanted}]")
        if got == "forward" and not expect.get("target_group_key") and len(action.target_groups) < 2:
            failures.append(
                f"{r['name']}: expected a weighted forward, got {len(action.target_groups)} group(s)"
            )
        status = None if expect.get("status_code") is None else int(expect["status_code"])
        if got == "fixed-response" and action.fixed_response and action.fixed_response.status_code != status:
            failures.append(f"{r['name']}: status {action.fixed_response.status_code}, expected {status}")
        if got == "redirect" and action.redirect and action.redirect.status_code != f"HTTP_{status}":
            failures.append(f"{r['name']}: redirect {action.redirect.status_code}, expected {status}")
    assert not failures, "\n".join(failures)
