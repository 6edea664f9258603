"""`alblab check` as CI runs it, on configurations that follow none of our conventions: a passing one, the
same with the instances' app port open to the world (must fail, naming instance, port and rule), and one
that does not plan (must fail with Terraform's message). Each leaves nothing behind."""

from __future__ import annotations

from pathlib import Path

import pytest
from checkrun import (
    MOTO_AMI,
    Run,
    assert_interrupted_cleanly,
    check,
    config_that_does_not_plan,
    interrupted,
    side_by_side,
    statuses,
)
from jobs import JobContext, Jobs, early

from alblab.dataplane import availability

PLAIN = Path(__file__).parent / "fixtures" / "plain-alb"
MISTAKES = Path(__file__).parent / "fixtures" / "aws-mistakes"
pytestmark = [pytest.mark.apply, pytest.mark.timeout(900)]


@early("check_runs", seconds=250)
def run_both(ctx: JobContext) -> dict[str, Run]:
    """The checks at once, from the session's start: the provider's waiters are idle time."""
    base = ctx.work_root / "check"
    jobs = {
        "pass": (base / "pass", str(PLAIN), "--var", f"image={MOTO_AMI}"),
        "open": (
            base / "open",
            str(PLAIN),
            "--var",
            f"image={MOTO_AMI}",
            "--var",
            "open_app_port_to_world=true",
        ),
        "mistakes": (base / "mistakes", str(MISTAKES), "--var", f"image={MOTO_AMI}"),
    }
    return side_by_side(check, jobs)


@early("check_ctrl_c", seconds=400)
def interrupt_after_the_apply(ctx: JobContext) -> dict[str, Run]:
    """Ctrl-C where the check runs things side by side: the second plan beside the verdicts and the data
    plane, and the destroy while the API is asked about each resource it has removed."""
    base = ctx.work_root / "check-ctrl-c"
    points = {
        "second plan": (base / "second-plan", [str(PLAIN)], "alblab: PASS apply", 1.0),
        "destroy": (base / "destroy", [str(PLAIN)], "alblab: PASS second plan is clean", 3.0),
    }
    return side_by_side(interrupted, points)


@pytest.fixture(scope="module")
def runs(jobs: Jobs) -> dict[str, Run]:
    result: dict[str, Run] = jobs.result("check_runs")
    return result


def test_a_sound_configuration_passes(runs: dict[str, Run]) -> None:
    run = runs["pass"]
    assert run.rc == 0, run.out
    assert "PASSED" in run.out
    got = statuses(run)
    assert got["apply"] == got["second plan is clean"] == got["destroy"] == "pass"
    assert got["no instance port open to the internet"] == "pass"
    assert got["every rule reachable"] == "pass"
    if availability() is None:
        for name in (
            "targets answer in turn",
            "direct access to instances blocked",
            "each rule answers as declared",
        ):
            assert got[name] == "pass", run.out
    assert run.junit is not None
    cases = run.junit.findall(".//testcase")
    assert len(cases) == len(run.report["checks"]) and not run.junit.findall(".//failure")


def test_an_instance_open_to_the_world_fails_naming_instance_port_and_rule(runs: dict[str, Run]) -> None:
    run = runs["open"]
    assert run.rc == 1, run.out
    assert "FAILED" in run.out
    finding = next(c for c in run.report["checks"] if c["name"] == "no instance port open to the internet")
    assert finding["status"] == "fail"
    assert len(finding["findings"]) == 2
    for line in finding["findings"]:
        assert "port 8080" in line and "shop-app" in line and "tcp/8080 from 0.0.0.0/0" in line
        assert "app-a" in line or "app-b" in line
    if availability() is None:
        direct = next(c for c in run.report["checks"] if c["name"] == "direct access to instances blocked")
        assert direct["status"] == "fail" and "port 8080: open" in direct["detail"]
    assert run.junit is not None and len(run.junit.findall(".//failure")) >= 1


def test_resources_aws_refuses_fail_the_apply_with_awss_error_codes(runs: dict[str, Run]) -> None:
    """Raw aws_* resources with mistakes no plan sees: each fails the apply naming the resource, where it is
    declared and AWS's error code and message, as an apply against AWS would (the emulator's strict layer;
    the rules and their AWS sources: docs/differences.md)."""
    run = runs["mistakes"]
    assert run.rc == 1, run.out
    apply = next(c for c in run.report["checks"] if c["name"] == "apply")
    assert apply["status"] == "fail"
    expected = {
        "aws_lb.one_zone": "ValidationError: At least two subnets in two different Availability Zones",
        "aws_lb_target_group.wide_matcher": "ValidationError: Health check matcher HTTP code '200-599'",
        "aws_lb_target_group.bad_tag": "ValidationError: 1 validation error detected: Value 'team#42' at "
        "'tags.1.member.value'",
        "aws_vpc_security_group_ingress_rule.from_other_vpc": "InvalidGroup.NotFound: You have specified two "
        "resources that belong to different networks.",
        "aws_instance.app": "InvalidParameter: Security group sg-",
    }
    found = {line.split(" ", 1)[0]: line for line in apply["findings"]}
    assert set(found) == set(expected), apply["findings"]
    for address, words in expected.items():
        assert words in found[address], found[address]
        assert "(main.tf line " in found[address]
    assert "(+4 more)" in run.out  # the table: the first refusal and how many more
    assert "Traceback" not in run.out


def test_check_leaves_nothing_behind(runs: dict[str, Run]) -> None:
    for key in ("pass", "open", "mistakes"):
        assert runs[key].left_processes == [], f"{key}: processes left"
        assert runs[key].left_files == [], f"{key}: {runs[key].left_files}"


def test_a_configuration_that_does_not_plan_fails_with_terraforms_message(tmp_path: Path) -> None:
    config = config_that_does_not_plan(tmp_path / "config")
    run = check(tmp_path / "run", str(config), "--var", "size=-1")
    assert run.rc == 1
    assert "size must be positive." in run.out
    assert "Traceback" not in run.out
    assert statuses(run)["apply"] == "fail"
    assert run.left_processes == []
    assert run.left_files == []


def test_ctrl_c_beside_the_second_plan_or_in_the_destroy_leaves_nothing(jobs: Jobs) -> None:
    assert_interrupted_cleanly(jobs.result("check_ctrl_c"))
