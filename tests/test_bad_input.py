"""Invalid inputs fail at plan time with a message naming the field, and create nothing.

The cases (tests/bad_input/case_NN.tf, one module call each, sometimes a second one for a submodule) are
planned in two plans, by the walk of Terraform that reports them (header ``# expect-stage:``):

- ``validate``: the root module's own checks of literal inputs. Terraform reports them while validating the
  configuration and stops there, so they cannot share a plan with the others.
- ``plan`` (the default): everything reported during the plan walk: checks that compare two inputs, the
  submodules' checks and preconditions. One failing case does not hide another's error there, so they share
  one plan, and so do the valid control cases (no header), whose plan must come out clean.

Each diagnostic is attributed to its case by the file its range points at, else by the ALB name its message
carries (``ALB "<prefix>-cNN"``: the submodules' messages name the ALB, because their range points into the
module's own source).
"""

from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from jobs import JobContext, Jobs, early
from script_modules import load

from alblab.sources import REPO_ROOT
from alblab.state import AwsClients, find_leftovers
from alblab.workspace import Workspace

BAD_DIR = REPO_ROOT / "tests" / "bad_input"
HEADER = re.compile(r"^# expect-(field|rule|stage): (.*)$", re.MULTILINE)
CASE_FILE = re.compile(r"(case_\d+)\.tf$")
CASE_ADDRESS = re.compile(r"^module\.(case_\d+)\b")
CASE_ALB = re.compile(r'ALB "[^"]*-c(\d+)"')
STAGES = ("validate", "plan")
# Where the module's checks live: every error_message in these files must be triggered by some case.
CHECK_FILES = ("variables.tf", "outputs.tf", "main.tf")


@dataclass(frozen=True)
class Case:
    id: str
    expects: tuple[tuple[str, str], ...]  # (field, rule) pairs; empty = valid control case
    stage: str  # "validate" or "plan": the plan that reports it (see the module docstring)


def load_cases() -> list[Case]:
    cases = []
    for path in sorted(BAD_DIR.glob("case_*.tf")):
        headers = dict(HEADER.findall(path.read_text()))
        fields = headers["field"].split("|") if "field" in headers else []
        rules = headers["rule"].split("|") if "rule" in headers else []
        assert len(fields) == len(rules), f"{path.name}: expect-field and expect-rule do not pair up"
        stage = headers.get("stage", "plan").split()[0]
        assert stage in STAGES, f"{path.name}: expect-stage must be one of {STAGES}"
        assert fields or stage == "plan", f"{path.name}: a valid control case belongs to the plan stage"
        cases.append(Case(path.stem, tuple(zip(fields, rules, strict=True)), stage))
    return cases


CASES = load_cases()


@dataclass
class BadPlan:
    rc: int
    by_case: dict[str, list[dict[str, Any]]]
    unattributed: list[dict[str, Any]]
    prefix: str


CASE_BY_NUMBER = {int(c.id.split("_")[1]): c.id for c in CASES}


def attribute(diagnostic: dict[str, Any]) -> str | None:
    filename = (diagnostic.get("range") or {}).get("filename", "")
    match = CASE_FILE.search(Path(filename).name)
    if match:
        return match.group(1)
    match = CASE_ADDRESS.match(diagnostic.get("address", ""))
    if match:
        return match.group(1)
    match = CASE_ALB.search(diagnostic.get("detail", ""))
    return CASE_BY_NUMBER.get(int(match.group(1))) if match else None


def plan_group(
    group: list[Case], label: str, work_root: Path, endpoint: str | None, prefix: str, env: dict[str, str]
) -> PlanResult:
    """One plan over the cases of ``group`` (the other case files are left out of the copy)."""
    workspace = Workspace.prepare(
        BAD_DIR, f"{prefix}-{label}", work_root, endpoint, extra_vars={"prefix": prefix}, env=env
    )
    wanted = {c.id for c in group}
    for case in CASES:
        if case.id not in wanted:
            (workspace.dir / f"{case.id}.tf").unlink()
    workspace.runner.init()
    rc, diagnostics = workspace.runner.plan_diagnostics()
    return PlanResult(group, rc, diagnostics)


@dataclass
class PlanResult:
    group: list[Case]
    rc: int
    diagnostics: list[dict[str, Any]]


def plan_groups() -> dict[str, list[Case]]:
    """One plan per stage."""
    return {stage: [c for c in CASES if c.stage == stage] for stage in STAGES}


@early("bad_plan", seconds=260)
def plan_bad_input(ctx: JobContext) -> BadPlan:
    """Both plans, started when the session starts (they are the slowest part of this module)."""
    work_root, endpoint, prefix, env = ctx.work_root, ctx.endpoint, f"{ctx.run_prefix}b", ctx.tf_env
    with ThreadPoolExecutor(max_workers=len(STAGES)) as pool:
        results = list(
            pool.map(
                lambda kv: plan_group(kv[1], kv[0], work_root, endpoint, prefix, env), plan_groups().items()
            )
        )
    by_case: dict[str, list[dict[str, Any]]] = {c.id: [] for c in CASES}
    unattributed = []
    for result in results:
        for d in result.diagnostics:
            case = attribute(d)
            if case in by_case:
                by_case[case].append(d)
            elif d.get("severity") == "error":
                unattributed.append(d)
    return BadPlan(min(r.rc for r in results), by_case, unattributed, prefix)


@pytest.fixture(scope="module")
def bad_plan(jobs: Jobs) -> BadPlan:
    result: BadPlan = jobs.result("bad_plan")
    return result


def text(diagnostic: dict[str, Any]) -> str:
    return f"{diagnostic.get('summary', '')}: {diagnostic.get('detail', '')}"


def test_at_least_30_invalid_cases() -> None:
    assert sum(1 for c in CASES if c.expects) >= 30


def test_plan_fails_and_every_error_belongs_to_a_case(bad_plan: BadPlan) -> None:
    assert bad_plan.rc == 1
    assert not bad_plan.unattributed, "\n".join(text(d) for d in bad_plan.unattributed)


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_case(bad_plan: BadPlan, clients: AwsClients, case: Case) -> None:
    errors = [d for d in bad_plan.by_case[case.id] if d.get("severity") == "error"]
    if not case.expects:
        found = bad_plan.by_case[case.id]  # warnings too
        assert found == [], "the valid control case got diagnostics:\n" + "\n".join(map(text, found))
    else:
        assert errors, f"{case.id}: no plan-time error"
        for field, rule in case.expects:
            hits = [d for d in errors if field in text(d) and rule in text(d)]
            assert hits, f"{case.id}: no error naming {field!r} with {rule!r}; got:\n" + "\n".join(
                map(text, errors)
            )
    number = case.id.split("_")[1]
    assert find_leftovers(clients, f"{bad_plan.prefix}-c{number}") == []


def check_files() -> list[Path]:
    modules = sorted(p for p in (REPO_ROOT / "modules").iterdir() if p.is_dir())
    return [d / f for d in (REPO_ROOT, *modules) for f in CHECK_FILES if (d / f).is_file()]


def validation_messages() -> list[str]:
    """The fixed opening of every error_message (validations and preconditions) in the root module and the
    submodules: the text before the first interpolation or format verb."""
    openings = []
    for path in check_files():
        source = path.read_text()
        for message in re.findall(r'error_message\s*=\s*(?:format\()?"((?:[^"\\]|\\.)*)"', source):
            opening = re.split(r"\$\{|%s", message, maxsplit=1)[0]
            opening = re.sub(r"\\(.)", r"\1", opening).replace("%%", "%").strip()
            if len(opening) >= 8:
                openings.append(opening)
    return openings


def test_check_files_found() -> None:
    names = {f"{p.parent.name}/{p.name}" for p in check_files()}
    assert {"listener-rules/variables.tf", "listener-rules/outputs.tf", "target-group/main.tf"} <= names


def test_every_validation_rule_is_exercised(bad_plan: BadPlan) -> None:
    seen = "\n".join(text(d) for ds in bad_plan.by_case.values() for d in ds)
    messages = validation_messages()
    missing = [m for m in messages if m not in seen]
    assert len(messages) >= 60, "fewer checks found than the module has: is the pattern stale?"
    assert not missing, "validation rules no case triggers:\n" + "\n".join(missing)


def test_every_mapped_check_is_reported_by_its_cases(bad_plan: BadPlan) -> None:
    """docs/module-checks.toml names the cases that prove each check (tests/test_api_constraints.py holds the
    checks against the AWS API models and the module's source): each case's plan must report it, naming a
    field."""
    plan_checks = load("plan_checks")
    errors = {
        case.removeprefix("case_"): [text(d) for d in diagnostics if d.get("severity") == "error"]
        for case, diagnostics in bad_plan.by_case.items()
    }
    problems = plan_checks.case_problems(plan_checks.load(REPO_ROOT / plan_checks.MAPPING), errors)
    assert problems == [], "\n".join(problems)
