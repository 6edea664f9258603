"""Invalid inputs fail at plan time with a message naming the field, and create nothing.

All cases (tests/bad_input/case_NN.tf, one module call each) are planned ONCE: Terraform reports the
validation errors of every module call in one run, and each diagnostic is attributed to its case by
the file its range points at (or the module address)."""

from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from alblab.sources import REPO_ROOT
from alblab.state import AwsClients, find_leftovers
from alblab.workspace import Workspace

BAD_DIR = REPO_ROOT / "tests" / "bad_input"
HEADER = re.compile(r"^# expect-(field|rule|stage): (.*)$", re.MULTILINE)
CASE_FILE = re.compile(r"(case_\d+)\.tf$")
CASE_ADDRESS = re.compile(r"^module\.(case_\d+)\b")


@dataclass(frozen=True)
class Case:
    id: str
    expects: tuple[tuple[str, str], ...]  # (field, rule) pairs; empty = valid control case
    stage: str  # "validation" or "precondition": which of the two plans runs it


def load_cases() -> list[Case]:
    cases = []
    for path in sorted(BAD_DIR.glob("case_*.tf")):
        headers = dict(HEADER.findall(path.read_text()))
        fields = headers["field"].split("|") if "field" in headers else []
        rules = headers["rule"].split("|") if "rule" in headers else []
        assert len(fields) == len(rules), f"{path.name}: expect-field and expect-rule do not pair up"
        stage = headers.get("stage", "validation").split()[0]
        cases.append(Case(path.stem, tuple(zip(fields, rules, strict=True)), stage))
    return cases


CASES = load_cases()


@dataclass
class BadPlan:
    rc: int
    by_case: dict[str, list[dict[str, Any]]]
    unattributed: list[dict[str, Any]]
    prefix: str


def attribute(diagnostic: dict[str, Any]) -> str | None:
    filename = (diagnostic.get("range") or {}).get("filename", "")
    match = CASE_FILE.search(Path(filename).name)
    if match:
        return match.group(1)
    match = CASE_ADDRESS.match(diagnostic.get("address", ""))
    return match.group(1) if match else None


def plan_group(
    group: list[Case], label: str, work_root: Path, endpoint: str | None, prefix: str
) -> PlanResult:
    """One plan over the cases of ``group`` (the other case files are left out of the copy)."""
    workspace = Workspace.prepare(
        BAD_DIR, f"{prefix}-{label}", work_root, endpoint, extra_vars={"prefix": prefix}
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
    """All validation cases in ONE plan; each precondition case alone, because a resource precondition's
    diagnostic points into the module and carries no module address to attribute it by."""
    groups = {"validation": [c for c in CASES if c.stage == "validation"]}
    groups.update({c.id: [c] for c in CASES if c.stage == "precondition"})
    return groups


@pytest.fixture(scope="module")
def bad_plan(work_root: Path, endpoint: str | None, run_prefix: str) -> BadPlan:
    prefix = f"{run_prefix}b"
    with ThreadPoolExecutor(max_workers=3) as pool:
        results = list(
            pool.map(lambda kv: plan_group(kv[1], kv[0], work_root, endpoint, prefix), plan_groups().items())
        )
    by_case: dict[str, list[dict[str, Any]]] = {c.id: [] for c in CASES}
    unattributed = []
    for result in results:
        for d in result.diagnostics:
            case = attribute(d) or (result.group[0].id if len(result.group) == 1 else None)
            if case in by_case:
                by_case[case].append(d)
            elif d.get("severity") == "error":
                unattributed.append(d)
    return BadPlan(min(r.rc for r in results), by_case, unattributed, prefix)


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
        assert errors == [], "the valid control case got errors:\n" + "\n".join(map(text, errors))
    else:
        assert errors, f"{case.id}: no plan-time error"
        for field, rule in case.expects:
            hits = [d for d in errors if field in text(d) and rule in text(d)]
            assert hits, f"{case.id}: no error naming {field!r} with {rule!r}; got:\n" + "\n".join(
                map(text, errors)
            )
    number = case.id.split("_")[1]
    assert find_leftovers(clients, f"{bad_plan.prefix}-c{number}") == []


def validation_messages() -> list[str]:
    """The fixed opening of every error_message in the root module's variables.tf."""
    source = (REPO_ROOT / "variables.tf").read_text()
    openings = []
    for message in re.findall(r'error_message\s*=\s*"((?:[^"\\]|\\.)*)"', source):
        opening = message.split("${", 1)[0].replace('\\"', '"').strip()
        if len(opening) >= 8:
            openings.append(opening)
    return openings


def test_every_validation_rule_is_exercised(bad_plan: BadPlan) -> None:
    seen = "\n".join(text(d) for ds in bad_plan.by_case.values() for d in ds)
    missing = [m for m in validation_messages() if m not in seen]
    assert validation_messages(), "no validation rules found in variables.tf"
    assert not missing, "validation rules no case triggers:\n" + "\n".join(missing)
