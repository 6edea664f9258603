"""Plan-only checks of every example (the ``plan -out`` + ``show -json`` the ``planned`` fixture shares):
resource counts and the attributes the module promises, before anything is read from the API; and plans
without a warning, of the examples, the lab after its last step and the consumer project."""

from __future__ import annotations

import shutil
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from jobs import JobContext, Jobs, early

from alblab import examples as ex
from alblab.examples import of_type, planned_resources
from alblab.lab.steps import BASE_DIR, STEPS
from alblab.sources import REPO_ROOT
from alblab.terraform import TerraformRunner
from alblab.tfconfig import cli_config_env
from alblab.workspace import MOTO_AMI, Workspace

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


@dataclass(frozen=True)
class OtherConfig:
    source: Path
    extra_files: tuple[Path, ...] = ()  # copied over the source's own files, in order
    variables: dict[str, Any] = field(default_factory=dict)


# Configurations users copy from besides the examples: the lab after its last step (a later step's file
# replaces an earlier one of the same name) and the consumer project of docs/testing-your-config.md.
OTHER_CONFIGS = {
    "lab": OtherConfig(BASE_DIR, tuple(f for step in STEPS for f in step.files())),
    "consumer": OtherConfig(REPO_ROOT / "tests/fixtures/consumer/infra", variables={"image": MOTO_AMI}),
}


def plan_diagnostics(ctx: JobContext, label: str, config: OtherConfig) -> list[dict[str, Any]]:
    """Every diagnostic (errors and warnings) of a plan of ``config`` against the session's AWS."""
    workspace = Workspace.prepare(
        config.source,
        f"{ctx.run_prefix}{label}",
        ctx.work_root,
        ctx.endpoint,
        env=ctx.tf_env,
        variables=config.variables,
    )
    for extra in config.extra_files:
        shutil.copyfile(extra, workspace.dir / extra.name)
    workspace.runner.init()
    rc, diagnostics = workspace.runner.plan_diagnostics()
    assert rc == 0 or diagnostics, f"{label}: plan failed with rc {rc} and no diagnostic"
    return diagnostics


@early("other_plans", seconds=30)
def plan_other_configs(ctx: JobContext) -> dict[str, list[dict[str, Any]]]:
    with ThreadPoolExecutor(max_workers=len(OTHER_CONFIGS)) as pool:
        futures = {label: pool.submit(plan_diagnostics, ctx, label, c) for label, c in OTHER_CONFIGS.items()}
        return {label: future.result() for label, future in futures.items()}


@pytest.mark.parametrize("config", sorted(OTHER_CONFIGS))
def test_lab_and_consumer_plan_without_diagnostics(jobs: Jobs, config: str) -> None:
    """No error and no warning: the module's checks stay silent on values known only after apply (the
    consumer's instance IDs), and nothing the lab teaches is deprecated."""
    diagnostics = jobs.result("other_plans")[config]
    assert diagnostics == [], [
        f"{d.get('severity')}: {d.get('summary')}: {d.get('detail')}" for d in diagnostics
    ]


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
