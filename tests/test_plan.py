"""Plan-only checks of every example (the ``plan -out`` + ``show -json`` the ``planned`` fixture shares):
resource counts and the attributes the module promises, before anything is read from the API."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from alblab import examples as ex
from alblab.examples import of_type, planned_resources
from alblab.terraform import TerraformRunner
from alblab.tfconfig import cli_config_env

EXAMPLES = ex.list_examples()

# Key resource counts per example, as the examples declare them. A change here is a change of the
# example and must be deliberate.
EXPECTED_COUNTS: dict[str, dict[str, int]] = {
    "basic": {
        "aws_lb": 1,
        "aws_lb_listener": 1,
        "aws_lb_target_group": 1,
        "aws_lb_target_group_attachment": 2,
        "aws_instance": 2,
        "aws_lb_listener_rule": 0,
    },
}


def counts(item: ex.AppliedExample) -> Counter[str]:
    return Counter(r["type"] for r in planned_resources(item.plan_json))


@pytest.mark.parametrize("example", EXAMPLES)
def test_plan_only_creates(planned: dict[str, ex.AppliedExample], example: str) -> None:
    item = planned[example]
    assert item.plan_json, f"{example}: no plan ({item.error})"
    actions = {
        tuple(rc["change"]["actions"]) for rc in item.plan_json["resource_changes"] if rc["mode"] == "managed"
    }
    assert actions == {("create",)}


def test_plan_keeps_its_warnings(tmp_path: Path) -> None:
    """What test_plan_has_no_warnings reads: a failed check block is a warning, not an error, in a plan."""
    (tmp_path / "main.tf").write_text(
        'variable "fresh" {\n  default = false\n}\n'
        'check "stale" {\n  assert {\n    condition     = var.fresh\n'
        '    error_message = "stale input"\n  }\n}\n'
    )
    runner = TerraformRunner(tmp_path, cli_config_env(tmp_path))
    runner.init(backend=False)
    runner.plan(out=tmp_path / "plan.tfplan")
    assert [w.get("detail") for w in runner.plan_warnings] == ["stale input"]


@pytest.mark.parametrize("example", EXAMPLES)
def test_plan_has_no_warnings(planned: dict[str, ex.AppliedExample], example: str) -> None:
    """A warning is a user's first sight of the module going stale (a deprecated attribute, say): none."""
    item = planned[example]
    assert item.plan_json, f"{example}: no plan ({item.error})"
    warnings = item.handle.workspace.runner.plan_warnings
    assert warnings == [], [f"{w.get('summary')}: {w.get('detail')}" for w in warnings]


@pytest.mark.parametrize("example", sorted(EXPECTED_COUNTS))
def test_resource_counts(planned: dict[str, ex.AppliedExample], example: str) -> None:
    got = counts(planned[example])
    assert {kind: got.get(kind, 0) for kind in EXPECTED_COUNTS[example]} == EXPECTED_COUNTS[example]


@pytest.mark.parametrize("example", EXAMPLES)
def test_every_example_has_its_core(planned: dict[str, ex.AppliedExample], example: str) -> None:
    got = counts(planned[example])
    assert got["aws_lb"] == 1
    assert got["aws_lb_listener"] >= 1
    assert got["aws_lb_target_group"] >= 1
    assert got["aws_security_group"] >= 2, "the module creates an ALB SG and a targets SG"


@pytest.mark.parametrize("example", EXAMPLES)
def test_load_balancer_attributes(planned: dict[str, ex.AppliedExample], example: str) -> None:
    item = planned[example]
    (lb,) = of_type(item, "aws_lb")
    assert lb["name"] == item.name
    assert lb["load_balancer_type"] == "application"
    assert lb["enable_deletion_protection"] is False, "examples must destroy cleanly"
    assert lb["drop_invalid_header_fields"] is True
    assert lb["desync_mitigation_mode"] in ("defensive", "strictest")


@pytest.mark.parametrize("example", EXAMPLES)
def test_names_fit_aws_limits(planned: dict[str, ex.AppliedExample], example: str) -> None:
    item = planned[example]
    for tg in of_type(item, "aws_lb_target_group"):
        assert len(tg["name"]) <= 32, tg["name"]
        assert tg["name"].startswith(f"{item.name}-")


@pytest.mark.parametrize("example", EXAMPLES)
def test_listener_security(planned: dict[str, ex.AppliedExample], example: str) -> None:
    for listener in of_type(planned[example], "aws_lb_listener"):
        if listener["protocol"] == "HTTPS":
            assert str(listener["ssl_policy"]).startswith("ELBSecurityPolicy-TLS13"), listener["ssl_policy"]


@pytest.mark.parametrize("example", EXAMPLES)
def test_instances_private_and_imdsv2(planned: dict[str, ex.AppliedExample], example: str) -> None:
    """Instances are reached through the ALB only: no public IP; IMDSv2 only."""
    instances = of_type(planned[example], "aws_instance")
    assert instances
    for instance in instances:
        assert instance.get("associate_public_ip_address") in (False, None)
        options: list[dict[str, Any]] = instance.get("metadata_options") or [{}]
        assert options[0].get("http_tokens") == "required"
