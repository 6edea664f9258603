"""docs/testing-your-config.md cannot rot: its pytest example IS the consumer project's test file (which
tests/test_plugin.py runs), the two-accounts example is the file test_plugin.py runs, every alblab command it
shows — in prose and in the CI snippets — parses with the real CLI and names files that exist, and the CI
matrix's JUnit merge runs here on the files `alblab check` writes."""

from __future__ import annotations

import re
import shlex
import subprocess
from pathlib import Path
from xml.etree import ElementTree

import yaml

from alblab import cli
from alblab.check import to_junit
from alblab.sources import REPO_ROOT
from alblab.verify import Result

DOC = REPO_ROOT / "docs" / "testing-your-config.md"
BLOCK = re.compile(r"```(\w+)\n(.*?)```", re.DOTALL)


def blocks_after(marker: str) -> str:
    text = DOC.read_text()
    start = text.index(marker)
    match = BLOCK.search(text, start)
    assert match is not None, f"no code block after {marker}"
    return match.group(2)


def test_the_pytest_example_is_the_file_the_suite_runs() -> None:
    marker = "<!-- consumer-test: tests/fixtures/consumer/tests/test_store.py -->"
    assert blocks_after(marker) == (REPO_ROOT / "tests/fixtures/consumer/tests/test_store.py").read_text()


def alblab_commands(text: str) -> list[list[str]]:
    commands = []
    for line in text.splitlines():
        line = line.strip().removeprefix("$ ").removeprefix("run: ")
        if line.startswith("alblab "):
            commands.append(shlex.split(line.split("#")[0])[1:])
    return commands


def test_every_alblab_command_in_the_doc_parses() -> None:
    commands = alblab_commands(DOC.read_text())
    assert len(commands) >= 3
    for argv in commands:
        args = cli.parser().parse_args(argv)
        assert args.command in ("check", "up", "down", "status", "curl", "reach")


def test_the_ci_snippet_is_a_workflow_that_runs_alblab_check() -> None:
    workflow = yaml.safe_load(blocks_after("<!-- consumer-workflow -->"))
    steps = workflow["jobs"]["alb-check"]["steps"]
    runs = "\n".join(step.get("run", "") for step in steps)
    (check,) = [c for c in alblab_commands(runs) if c[0] == "check"]
    assert "--junit-xml" in check
    assert any(step.get("uses", "").startswith("hashicorp/setup-terraform") for step in steps)


def test_the_shown_check_run_uses_a_fixture_that_exists() -> None:
    (shown,) = [c for c in alblab_commands(DOC.read_text()) if c[:2] == ["check", "tests/fixtures/plain-alb"]]
    assert (REPO_ROOT / shown[1] / "main.tf").is_file()
    assert "open_app_port_to_world=true" in shown


def test_our_own_workflow_runs_ci_run() -> None:
    workflow = yaml.safe_load((REPO_ROOT / ".github" / "workflows" / "ci.yml").read_text())
    runs = "\n".join(step.get("run", "") for step in workflow["jobs"]["test"]["steps"])
    assert ".ci/run" in runs


def test_the_ci_matrix_runs_alblab_check_per_configuration_and_merges_the_junit_files(tmp_path: Path) -> None:
    workflow = yaml.safe_load(blocks_after("<!-- consumer-workflow-matrix -->"))
    check_job, report_job = workflow["jobs"]["alb-check"], workflow["jobs"]["report"]
    configs = check_job["strategy"]["matrix"]["include"]
    assert len(configs) >= 2 and len({c["name"] for c in configs}) == len(configs)
    assert check_job["strategy"]["fail-fast"] is False  # one failing configuration must not cancel the others
    steps = check_job["steps"]
    runs = "\n".join(step.get("run", "") for step in steps)
    (check,) = [c for c in alblab_commands(runs) if c[0] == "check"]
    assert check[1] == "$DIR" and "--junit-xml" in check
    (upload,) = [s for s in steps if s.get("uses", "").startswith("actions/upload-artifact")]
    assert "${{ matrix.name }}" in upload["with"]["name"]  # artifact names must differ between jobs
    assert report_job["needs"] == "alb-check" and report_job["if"] == "always()"

    # The merge step, run as the workflow runs it, on the JUnit files `alblab check` writes.
    junit = tmp_path / "junit"
    junit.mkdir()
    results = {
        "public": [Result("apply", "pass", "applied"), Result("traffic", "skip", "no data plane")],
        "shop": [Result("apply", "pass", "applied"), Result("destroy", "fail", "left: aws_lb.shop")],
    }
    for name, found in results.items():
        (junit / f"{name}.xml").write_text(to_junit(f"infra/{name}", found, 3.0))
    (merge,) = [s["run"] for s in report_job["steps"] if "junit" in s.get("run", "")]
    bash = ["bash", "-euo", "pipefail", "-c", merge]
    done = subprocess.run(bash, cwd=tmp_path, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert "2 configurations, 4 checks, 1 failed" in done.stdout
    merged = ElementTree.parse(tmp_path / "alb-checks.xml").getroot()
    assert merged.tag == "testsuites"
    assert [s.get("name") for s in merged] == ["alblab check infra/public", "alblab check infra/shop"]
    assert (merged.get("tests"), merged.get("failures"), merged.get("skipped")) == ("4", "1", "1")
    assert [c.get("name") for c in merged.iter("testcase")] == ["apply", "traffic", "apply", "destroy"]


def test_the_two_accounts_example_is_what_the_plugin_test_runs() -> None:
    block = blocks_after("<!-- two-accounts-test -->")
    assert 'alb_stack("../plain-alb"' in block and "open_app_port_to_world" in block
    assert (REPO_ROOT / "tests" / "fixtures" / "plain-alb" / "main.tf").is_file()
    runner = (REPO_ROOT / "tests" / "test_plugin.py").read_text()
    assert 'blocks_after("<!-- two-accounts-test -->")' in runner


def test_the_ci_snippet_checks_a_pull_requests_change_against_its_base() -> None:
    workflow = yaml.safe_load(blocks_after("<!-- consumer-workflow -->"))
    job = workflow["jobs"]["alb-change"]
    assert "pull_request" in job["if"]
    checkout = next(step for step in job["steps"] if step.get("uses", "").startswith("actions/checkout"))
    assert checkout["with"]["fetch-depth"] == 0, "the base ref must be fetched"
    runs = "\n".join(step.get("run", "") for step in job["steps"])
    (check,) = [c for c in alblab_commands(runs) if c[0] == "check"]
    assert check[check.index("--base") + 1] == "origin/${{ github.base_ref }}"
    assert cli.parser().parse_args(check).base == "origin/${{ github.base_ref }}"
