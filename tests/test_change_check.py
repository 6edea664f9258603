"""`alblab check DIR --base BASE` as a pull-request job runs it: BASE applied, then DIR over the same state.

On the suite's raw-resource fixture (tests/fixtures/plain-alb) committed to a git repository of its own, the
work tree holding the change: a target group whose port changes while the listener uses it, without
create_before_destroy (AWS answers ResourceInUse when the provider deletes it, and the targets are gone
meanwhile: the check fails with the AWS error and the requests that failed), and a rule added at a lower
priority (the routing diff shows the requests it takes from the rule that had them). Then the mistakes a
user can make with --base, and Ctrl-C in either apply: one line, the documented exit code, nothing left.

AWS: DeleteTargetGroup fails with ResourceInUse while a listener or rule uses the group
(https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_DeleteTargetGroup.html); rules
are evaluated in priority order, lowest value first
(https://docs.aws.amazon.com/elasticloadbalancing/latest/application/listener-rules.html).
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Callable
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
DATAPLANE = availability() is None
pytestmark = [pytest.mark.lifecycle, pytest.mark.timeout(1500)]
GIT_ENV = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com", "GIT_COMMITTER_NAME": "t",
           "GIT_COMMITTER_EMAIL": "t@example.com", "GIT_CONFIG_GLOBAL": "/dev/null"}  # fmt: skip

# A rule in front of the others: POSTs to /m* get a 403, among them those rule 10 answered.
MEMBERS_RULE = """
resource "aws_lb_listener_rule" "members" {
  listener_arn = aws_lb_listener.http.arn
  priority     = 5

  condition {
    path_pattern {
      values = ["/m*"]
    }
  }

  condition {
    http_request_method {
      values = ["POST"]
    }
  }

  action {
    type = "fixed-response"
    fixed_response {
      content_type = "text/plain"
      message_body = "Members only"
      status_code  = "403"
    }
  }
}
"""


def git(repo: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-C", str(repo), *args], check=True, capture_output=True, env={**os.environ, **GIT_ENV}
    )


def repo_with_change(root: Path, edit: Callable[[str], str]) -> Path:
    """A git repository whose last commit holds plain-alb (the base) and whose work tree holds the change."""
    infra = root / "repo" / "infra"
    infra.mkdir(parents=True)
    shutil.copy(PLAIN / "main.tf", infra / "main.tf")
    git(infra.parent, "init", "-q")
    git(infra.parent, "add", "-A")
    git(infra.parent, "commit", "-qm", "base")
    text = (infra / "main.tf").read_text()
    changed = edit(text)
    assert changed != text, "the change must change something"
    (infra / "main.tf").write_text(changed)
    return infra


def new_port(text: str) -> str:
    return text.replace("  app_port = 8080\n", "  app_port = 8081\n")


def new_rule(text: str) -> str:
    return text + MEMBERS_RULE


def change_check(tmp: Path, edit: Callable[[str], str]) -> Run:
    infra = repo_with_change(tmp / "src", edit)
    return check(tmp / "run", str(infra), "--base", "HEAD", "--var", f"image={MOTO_AMI}", timeout=1400)


@early("change_check_runs", seconds=530)
def run_changes(ctx: JobContext) -> dict[str, Run]:
    base = ctx.work_root / "change-check"
    jobs = {"in_use": (base / "in-use", new_port), "rule": (base / "rule", new_rule)}
    return side_by_side(change_check, jobs)


@pytest.fixture(scope="module")
def runs(jobs: Jobs) -> dict[str, Run]:
    result: dict[str, Run] = jobs.result("change_check_runs")
    return result


@pytest.mark.apply
def test_replacing_a_target_group_in_use_without_create_before_destroy_fails_with_the_aws_error(
    runs: dict[str, Run],
) -> None:
    run = runs["in_use"]
    assert run.rc == 1, run.out
    got = statuses(run)
    assert got["base applies"] == "pass" and got["change applies"] == "fail", run.out
    applies = next(c for c in run.report["checks"] if c["name"] == "change applies")
    assert "ResourceInUse" in applies["detail"] and "aws_lb_target_group.app" in applies["detail"], applies
    errors = run.report["change"]["errors"]
    assert any(e["address"] == "aws_lb_target_group.app" and "in use" in e["error"] for e in errors), errors
    assert got["destroy"] == "pass", run.out
    if DATAPLANE:
        # The provider deletes the registrations first and retries the delete for two minutes: the
        # listener forwards to a group without targets meanwhile.
        during = run.report["change"]["traffic_during_change"]
        assert got["no errors while the change applies"] == "fail" and during["failed"] > 0, during
        assert any("aws_lb_target_group" in w for w in during["windows"]), during["windows"]
    assert run.junit is not None and run.junit.findall(".//failure")


@pytest.mark.apply
def test_a_rule_added_at_a_lower_priority_shows_the_requests_it_captures(runs: dict[str, Run]) -> None:
    run = runs["rule"]
    assert run.rc == 0, run.out
    rows = {(r["request"], r["before_rule"], r["after_rule"]) for r in run.report["change"]["routing_diff"]}
    assert ("POST /maintenance", "rule 10", "rule 5") in rows, rows  # taken from rule 10
    assert ("POST /m", "default", "rule 5") in rows, rows  # taken from the default action
    assert all(after == "rule 5" for _r, _b, after in rows), rows
    assert "routing diff:" in run.out and "Members only" in run.out
    got = statuses(run)
    assert got["change applies"] == got["every rule reachable"] == got["second plan is clean"] == "pass"
    if DATAPLANE:
        during = run.report["change"]["traffic_during_change"]
        assert got["no errors while the change applies"] == "pass" and during["sent"] > 20, during
    assert run.junit is not None and not run.junit.findall(".//failure")


@pytest.mark.apply
def test_change_checks_leave_nothing_behind(runs: dict[str, Run]) -> None:
    for key, run in runs.items():
        assert run.left_processes == [], f"{key}: processes left"
        assert run.left_files == [], f"{key}: {run.left_files}"


# --- mistakes with --base ------------------------------------------------------------------------------


def one_line(run: Run) -> list[str]:
    return [line for line in run.out.splitlines() if line.strip()]


def test_a_base_that_is_no_directory_and_no_ref_is_one_line_exit_2(tmp_path: Path) -> None:
    for base in ("/nonexistent/base", "no-such-ref-of-this-repo"):
        run = check(tmp_path / base.strip("/").replace("/", "-"), str(PLAIN), "--base", base)
        assert run.rc == 2, run.out
        (line,) = one_line(run)
        assert (
            line
            == f"alblab: --base {base}: no such directory, and not a git ref of the repository at "
            + str(PLAIN.parents[2])
        ), line
        assert run.left_processes == [] and run.left_files == []


def test_a_ref_for_a_directory_outside_git_or_absent_at_that_ref_is_one_line_exit_2(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    shutil.copytree(PLAIN, outside)
    run = check(tmp_path / "run-outside", str(outside), "--base", "main")
    assert run.rc == 2 and one_line(run) == [
        f"alblab: --base main: no such directory, and {outside} is not in a git repository"
    ], run.out
    infra = repo_with_change(tmp_path / "later", new_rule)
    newer = infra.parent / "newer"
    shutil.copytree(PLAIN, newer)  # in the work tree only, not at HEAD
    run = check(tmp_path / "run-absent", str(newer), "--base", "HEAD")
    assert run.rc == 2, run.out
    (line,) = one_line(run)
    assert line.startswith("alblab: --base HEAD: newer holds no Terraform configuration at "), line
    assert run.left_processes == [] and run.left_files == []


def test_a_base_that_does_not_apply_is_exit_1_and_says_so(tmp_path: Path) -> None:
    base = config_that_does_not_plan(tmp_path / "base")
    run = check(tmp_path / "run", str(PLAIN), "--base", str(base), "--var", f"image={MOTO_AMI}")
    assert run.rc == 1, run.out
    assert "the base itself does not apply" in run.out and "size must be positive." in run.out
    assert "Traceback" not in run.out
    assert statuses(run)["base applies"] == "fail"
    assert run.left_processes == [] and run.left_files == []


# --- Ctrl-C in either apply ----------------------------------------------------------------------------


@early("change_check_ctrl_c", seconds=370)
def interrupt_both_applies(ctx: JobContext) -> dict[str, Run]:
    base = ctx.work_root / "change-check-ctrl-c"
    infra = repo_with_change(base / "src", new_rule)
    points = {
        "base": (base / "base", [str(infra), "--base", "HEAD"], "alblab: terraform apply", 8.0),
        "change": (
            base / "change",
            [str(infra), "--base", "HEAD"],
            "alblab: terraform apply (the change",
            3.0,
        ),
    }
    return side_by_side(interrupted, points)


@pytest.mark.apply
def test_ctrl_c_in_either_apply_leaves_nothing(jobs: Jobs) -> None:
    assert_interrupted_cleanly(jobs.result("change_check_ctrl_c"))
