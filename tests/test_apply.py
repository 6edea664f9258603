"""Every example applied against the emulator (session fixture ``applied``): boto3 checks of what the
plan declared, idempotency, then (last, ``destroy_phase``) destroy and a leak check."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest

from alblab import examples as ex
from alblab.examples import of_type, planned_resources
from alblab.model import Stack

EXAMPLES = ex.list_examples()
pytestmark = pytest.mark.apply

LB_ATTRIBUTES = {
    # plan attribute -> DescribeLoadBalancerAttributes key
    "idle_timeout": "idle_timeout.timeout_seconds",
    "enable_deletion_protection": "deletion_protection.enabled",
    "drop_invalid_header_fields": "routing.http.drop_invalid_header_fields.enabled",
    "desync_mitigation_mode": "routing.http.desync_mitigation_mode",
    "xff_header_processing_mode": "routing.http.xff_header_processing.mode",
    "preserve_host_header": "routing.http.preserve_host_header.enabled",
    "enable_http2": "routing.http2.enabled",
}
TG_ATTRIBUTES = {
    "deregistration_delay": "deregistration_delay.timeout_seconds",
    "slow_start": "slow_start.duration_seconds",
    "load_balancing_algorithm_type": "load_balancing.algorithm.type",
}


def api_value(value: Any) -> str:
    return str(value).lower() if isinstance(value, bool) else str(value)


@pytest.fixture(scope="module")
def stacks(applied: dict[str, ex.AppliedExample]) -> dict[str, Stack]:
    return {name: item.stack() for name, item in applied.items() if item.error is None}


@pytest.mark.parametrize("example", EXAMPLES)
def test_applied(applied: dict[str, ex.AppliedExample], example: str) -> None:
    item = applied[example].ok()
    state = item.workspace.runner.state_json()
    in_state = Counter(
        r["type"] for r in _state_resources(state["values"]["root_module"]) if r.get("mode") == "managed"
    )
    planned = Counter(r["type"] for r in planned_resources(item.plan_json))
    assert in_state == planned
    assert item.summary["alb_name"] == item.name


def _state_resources(module: dict[str, Any]) -> Iterator[dict[str, Any]]:
    yield from module.get("resources", [])
    for child in module.get("child_modules", []):
        yield from _state_resources(child)


@pytest.mark.parametrize("example", EXAMPLES)
def test_load_balancer_as_declared(
    applied: dict[str, ex.AppliedExample], stacks: dict[str, Stack], example: str
) -> None:
    item = applied[example].ok()
    (declared,) = of_type(item, "aws_lb")
    lb = stacks[example].load_balancer
    assert lb.name == declared["name"]
    assert lb.internal == bool(declared["internal"])
    assert len(lb.subnet_ids) >= 2
    assert lb.security_group_ids, "the ALB has no security group"
    for attr, key in LB_ATTRIBUTES.items():
        if declared.get(attr) is not None:
            assert lb.attributes.get(key) == api_value(declared[attr]), attr
    assert lb.dns_name == item.summary["dns_name"]


@pytest.mark.parametrize("example", EXAMPLES)
def test_listeners_and_rules_as_declared(
    applied: dict[str, ex.AppliedExample], stacks: dict[str, Stack], example: str
) -> None:
    item = applied[example].ok()
    lb = stacks[example].load_balancer

    # moto reports a default SslPolicy on plain-HTTP listeners too: the policy counts for HTTPS only.
    def policy(protocol: str, value: str | None) -> str | None:
        return value if protocol == "HTTPS" else None

    declared = sorted(
        (int(v["port"]), v["protocol"], policy(v["protocol"], v.get("ssl_policy")))
        for v in of_type(item, "aws_lb_listener")
    )
    actual = sorted((li.port, li.protocol, policy(li.protocol, li.ssl_policy)) for li in lb.listeners)
    assert actual == declared
    rule_priorities = sorted(int(v["priority"]) for v in of_type(item, "aws_lb_listener_rule"))
    assert sorted(r.priority for li in lb.listeners for r in li.rules) == rule_priorities
    for listener in lb.listeners:
        assert [r.priority for r in listener.rules] == sorted(r.priority for r in listener.rules)
    extra_certs = len(of_type(item, "aws_lb_listener_certificate"))
    assert sum(max(0, len(li.certificate_arns) - 1) for li in lb.listeners) == extra_certs
    for listener in lb.listeners:
        if listener.protocol == "HTTPS":
            assert listener.certificate_arns, f"HTTPS listener {listener.port} has no certificate"
            assert all(arn in stacks[example].certificates for arn in listener.certificate_arns)


@pytest.mark.parametrize("example", EXAMPLES)
def test_target_groups_as_declared(
    applied: dict[str, ex.AppliedExample], stacks: dict[str, Stack], example: str
) -> None:
    item = applied[example].ok()
    stack = stacks[example]
    declared = of_type(item, "aws_lb_target_group")
    assert {d["name"] for d in declared} == {tg.name for tg in stack.target_groups.values()}
    for d in declared:
        tg = stack.target_group_by_name(d["name"])
        assert (tg.target_type, tg.port, tg.protocol) == (d["target_type"], d.get("port"), d.get("protocol"))
        (hc,) = d["health_check"] or [{}]
        for field in ("path", "matcher", "interval", "timeout", "healthy_threshold", "unhealthy_threshold"):
            if hc.get(field) not in (None, ""):
                assert str(getattr(tg.health_check, field)) == str(hc[field]), (
                    f"{tg.name} health_check.{field}"
                )
        for attr, key in TG_ATTRIBUTES.items():
            if d.get(attr) not in (None, ""):
                assert tg.attributes.get(key) == api_value(d[attr]), f"{tg.name} {attr}"
        sticky = [s for s in d.get("stickiness") or [] if s.get("enabled")]
        assert tg.stickiness == (sticky[0]["type"] if sticky else None), f"{tg.name} stickiness"
    attachments = of_type(item, "aws_lb_target_group_attachment")
    assert sum(len(tg.targets) for tg in stack.target_groups.values()) == len(attachments)


@pytest.mark.parametrize("example", EXAMPLES)
def test_instances_and_security_groups_as_declared(
    applied: dict[str, ex.AppliedExample], stacks: dict[str, Stack], example: str
) -> None:
    item = applied[example].ok()
    stack = stacks[example]
    assert set(stack.instances) == set(item.summary["instance_ids"].values())
    assert len(stack.instances) == len(of_type(item, "aws_instance"))
    names = {sg.name for sg in stack.security_groups.values()}
    for declared in of_type(item, "aws_security_group"):
        if declared.get("name"):
            assert declared["name"] in names
    sg_ids = item.summary["security_group_ids"]
    assert sg_ids["alb"] in stack.load_balancer.security_group_ids
    for instance in stack.instances.values():
        assert sg_ids["targets"] in instance.security_group_ids, instance.id


@pytest.mark.parametrize("example", EXAMPLES)
def test_extras_as_declared(
    applied: dict[str, ex.AppliedExample], stacks: dict[str, Stack], example: str
) -> None:
    """WAF association, Route53 alias records, access-log bucket: checked when the example declares them."""
    item = applied[example].ok()
    lb = stacks[example].load_balancer
    clients = item.clients
    if of_type(item, "aws_wafv2_web_acl_association"):
        acl = clients.wafv2.get_web_acl_for_resource(ResourceArn=lb.arn).get("WebACL")
        assert acl, "no web ACL associated with the ALB"
    for record in of_type(item, "aws_route53_record"):
        zone = record.get("zone_id") or item.outputs.get("route53_zone_id")
        sets = clients.route53.list_resource_record_sets(HostedZoneId=zone)["ResourceRecordSets"]
        wanted = str(record["name"]).rstrip(".")
        found = [s for s in sets if s["Name"].rstrip(".") == wanted and s["Type"] == record["type"]]
        assert found, f"no {record['type']} record {wanted}"
        if found[0].get("AliasTarget"):
            assert found[0]["AliasTarget"]["DNSName"].rstrip(".").lower().endswith(lb.dns_name.lower())
    if of_type(item, "aws_lb") and (of_type(item, "aws_lb")[0].get("access_logs") or [{}])[0].get("enabled"):
        bucket = lb.attributes.get("access_logs.s3.bucket")
        assert lb.attributes.get("access_logs.s3.enabled") == "true"
        assert bucket in {b["Name"] for b in clients.s3.list_buckets()["Buckets"]}


@pytest.mark.parametrize("example", EXAMPLES)
def test_second_plan_is_clean(applied: dict[str, ex.AppliedExample], example: str) -> None:
    # The first of these tests re-plans every example in parallel; the others find theirs done.
    ex.replan_all(list(applied.values()))
    item = applied[example].ok()
    if isinstance(item.replan, BaseException):
        raise item.replan
    if item.replan != 0:
        pytest.fail(f"second plan of {example} is not clean: {item.workspace.runner.plan_changes()}")


@pytest.mark.destroy_phase
@pytest.mark.parametrize("example", EXAMPLES)
def test_destroy_leaves_nothing(destroyed: dict[str, ex.AppliedExample], example: str) -> None:
    # Every example is destroyed at once, in the background from the last test that used the stacks.
    item = destroyed[example]
    assert item.destroy_error is None, f"destroy of {example} failed: {item.destroy_error}"
    assert item.destroyed
    assert item.leftovers() == []
