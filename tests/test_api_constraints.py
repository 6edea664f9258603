"""The module's plan-time checks, derived from the AWS API models rather than remembered.

scripts/plan_checks.py walks botocore's models of the operations the module's resources call (ELBv2, EC2,
Route 53, WAFv2; S3 for the access-log bucket's name) and holds every member with a length, range, pattern or
list of values against docs/module-checks.toml: a check that covers it, named there and present in the
module's source with a bad-input case, or a reason none does; and every input of every module against the
same file: named by a check of its module's table, or listed with the reason it needs none. The tests of this
file prove that the derivation can fail: with a check removed from a copy of the module, with a member left
unaccounted for, with a bound the table no longer states, with the new members a newer model brings, and with
an input nobody accounted for. tests/test_bad_input.py then proves each check's cases report it at plan.

AWS documentation behind the checks: https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/
(the models' source) and the user guide pages each row of docs/module.md cites
(https://docs.aws.amazon.com/elasticloadbalancing/latest/application/).
"""

from __future__ import annotations

import dataclasses
import json
import re
import shutil
from pathlib import Path
from typing import Any

import pytest
from script_modules import load

from alblab.sources import REPO_ROOT

plan_checks = load("plan_checks")
hcl = load("hcl")

CHECKS = plan_checks.load(REPO_ROOT / plan_checks.MAPPING)
MODELS = plan_checks.load_models(CHECKS.operations)


def module_copy(tmp_path: Path) -> Path:
    """The root module and its submodules, copied: the derivation reads only their .tf files."""
    root = tmp_path / "repo"
    root.mkdir()
    for tf in REPO_ROOT.glob("*.tf"):
        shutil.copy2(tf, root / tf.name)
    shutil.copytree(REPO_ROOT / "modules", root / "modules")
    shutil.copytree(REPO_ROOT / "tests" / "bad_input", root / "tests" / "bad_input")
    return root


def without_validation(path: Path, rule: str) -> None:
    """Delete from ``path`` the validation block whose error_message holds ``rule``."""
    source = path.read_text()
    at = source.index(rule)
    start = source.rindex("validation {", 0, at)
    end = hcl.skip_expression(source, start + len("validation {"), "}") + 1
    path.write_text(source[:start] + source[end:])


def test_the_models_are_walked() -> None:
    members = plan_checks.reachable(MODELS, CHECKS.operations)
    assert members["elbv2:CreateRuleInput.Priority"] == plan_checks.Bounds("integer", 1, 50000)
    assert members["elbv2:Tag.Key"].pattern and members["elbv2:Tag.Key"].max == 128
    assert "route53:ChangeResourceRecordSetsRequest.HostedZoneId" in members
    assert "wafv2:AssociateWebACLRequest.WebACLArn" in members
    assert {m.split(":")[0] for m in members} == {"elbv2", "ec2", "route53", "wafv2"}
    assert len(members) >= 80


def test_every_constrained_member_is_covered_and_every_check_is_in_the_module() -> None:
    problems = plan_checks.problems(REPO_ROOT, CHECKS, MODELS)
    assert problems == [], "\n".join(problems)


@pytest.mark.parametrize(
    ("file", "rule", "block"),
    [
        ("variables.tf", "vpc_id must be a VPC ID, vpc- and 8 or 17 hex digits", "root var.vpc_id"),
        (
            "modules/listener-rules/variables.tf",
            "conditions.http_headers names must be 1-40 characters",
            "modules/listener-rules var.rules",
        ),
        (
            "modules/target-group/variables.tf",
            "A Lambda target must be in",
            "modules/target-group var.targets",
        ),
    ],
    ids=["root", "listener-rules", "target-group"],
)
def test_a_check_removed_from_the_module_fails_the_derivation(
    tmp_path: Path, file: str, rule: str, block: str
) -> None:
    root = module_copy(tmp_path)
    assert plan_checks.problems(root, CHECKS, MODELS) == []
    without_validation(root / file, rule)
    problems = plan_checks.problems(root, CHECKS, MODELS)
    assert len(problems) == 1 and f"no such check in {block}" in problems[0] and rule in problems[0], problems


def test_a_member_without_a_check_or_a_reason_fails_the_derivation() -> None:
    api_rules = tuple(r for r in CHECKS.api_rules if "elbv2:CreateLoadBalancerInput.Scheme" not in r.members)
    problems = plan_checks.problems(REPO_ROOT, dataclasses.replace(CHECKS, api_rules=api_rules), MODELS)
    assert problems == [
        "elbv2:CreateLoadBalancerInput.Scheme (one of `internet-facing`, `internal`) is reached by the "
        "module's operations, but no check covers it and docs/module-checks.toml gives no reason"
    ]


def test_a_check_that_does_not_state_the_models_bounds_fails_the_derivation() -> None:
    checks = tuple(
        dataclasses.replace(c, constraint="integer 1-5000")
        if c.rule == "Rule priority must be an integer 1-50000"
        else c
        for c in CHECKS.checks
    )
    problems = plan_checks.problems(REPO_ROOT, dataclasses.replace(CHECKS, checks=checks), MODELS)
    assert len(problems) == 2, problems  # CreateRule's Priority and SetRulePriorities' Priority
    assert all("does not state the model's bounds of elbv2:" in p and "1-50000" in p for p in problems)


def test_a_newer_model_with_more_constrained_members_fails_the_derivation() -> None:
    # As if the module started calling an operation with constrained members of its own (trust stores).
    operations = dict(CHECKS.operations) | {"elbv2": (*CHECKS.operations["elbv2"], "CreateTrustStore")}
    problems = plan_checks.problems(REPO_ROOT, dataclasses.replace(CHECKS, operations=operations), MODELS)
    assert problems and all(
        "is reached by the module's operations, but no check covers it" in p for p in problems
    )
    assert any("CreateTrustStoreInput" in p for p in problems)


def test_a_check_in_the_module_that_the_mapping_does_not_list_fails_the_derivation() -> None:
    rule = "Health checks cannot be disabled for instance and ip target groups"
    checks = tuple(c for c in CHECKS.checks if c.rule != rule)
    problems = plan_checks.problems(REPO_ROOT, dataclasses.replace(CHECKS, checks=checks), MODELS)
    assert len(problems) == 1, problems
    assert problems[0].startswith(
        "modules/target-group var.health_check: a check docs/module-checks.toml does not list"
    )
    assert rule in problems[0]


def test_an_input_without_a_check_or_a_reason_fails_the_derivation() -> None:
    # As when main added exact_name to modules/target-group: an input no check names needs its reason.
    inputs = tuple(r for r in CHECKS.inputs if "exact_name" not in r.names)
    problems = plan_checks.problems(REPO_ROOT, dataclasses.replace(CHECKS, inputs=inputs), MODELS)
    assert problems == [
        "modules/target-group var.exact_name: no check of the target-group table names this input and "
        "docs/module-checks.toml gives no reason in [[input]]"
    ]


def test_a_new_input_in_the_module_fails_the_derivation(tmp_path: Path) -> None:
    root = module_copy(tmp_path)
    variables = root / "modules" / "listener" / "variables.tf"
    variables.write_text(
        variables.read_text() + '\nvariable "mutual_authentication" {\n  type    = any\n  default = null\n}\n'
    )
    problems = plan_checks.problems(root, CHECKS, MODELS)
    assert problems == [
        "modules/listener var.mutual_authentication: no check of the listener table names this input and "
        "docs/module-checks.toml gives no reason in [[input]]"
    ]


def test_input_reasons_must_hold() -> None:
    broken = (
        plan_checks.InputRule(("modules/target-group",), ("port",), "switch", "a number is no switch"),
        plan_checks.InputRule(("modules/listener",), ("exact_name",), "wiring", "not the listener's"),
        plan_checks.InputRule(("root",), ("internal",), "passed", "nobody takes it", to="modules/listener"),
        plan_checks.InputRule(("root",), ("tags",), "mystery", "not a handling"),
        plan_checks.InputRule(("modules/security-groups",), ("create",), "switch", "no", to="root"),
    )
    problems = plan_checks.problems(
        REPO_ROOT, dataclasses.replace(CHECKS, inputs=(*CHECKS.inputs, *broken)), MODELS
    )
    assert sorted(problems) == sorted(
        [
            "[[input]] modules/target-group port: port is a switch, but its type is number",
            "[[input]] modules/listener exact_name: modules/listener has no input exact_name",
            "[[input]] root internal: modules/listener has no input internal to take it",
            "[[input]] root tags: handling must be one of passed, switch, wiring, aws",
            "modules/target-group var.port: both named by a check and given a reason in [[input]]",
            "[[input]] modules/security-groups create: `to` names the module a passed input goes to, and "
            "only then",
            "root var.tags: both named by a check and given a reason in [[input]]",
        ]
    ), problems


def test_unknown_members_and_missing_cases_fail_the_derivation() -> None:
    first = CHECKS.checks[0]
    broken = dataclasses.replace(
        first, api=(*first.api, "elbv2:CreateLoadBalancerInput.Nmae"), cases=("999",)
    )
    problems = plan_checks.problems(
        REPO_ROOT, dataclasses.replace(CHECKS, checks=(broken, *CHECKS.checks[1:])), MODELS
    )
    assert any("has no member Nmae" in p for p in problems), problems
    assert any("case_999.tf does not exist" in p for p in problems), problems


def test_every_bad_input_case_proves_a_mapped_check() -> None:
    listed = {case for c in CHECKS.checks for case in c.cases}
    invalid = {
        p.stem.removeprefix("case_")
        for p in (REPO_ROOT / "tests" / "bad_input").glob("case_*.tf")
        if "# expect-field:" in p.read_text()
    }
    assert invalid - listed == set(), "cases docs/module-checks.toml does not list"
    assert listed - invalid == set(), (
        "cases docs/module-checks.toml lists that do not exist or expect no error"
    )


def test_case_problems_needs_the_rule_and_a_field_in_an_error_of_each_case() -> None:
    check = next(
        c for c in CHECKS.checks if c.rule.startswith("Target groups with protocol_version HTTP2 or GRPC")
    )
    one = dataclasses.replace(CHECKS, checks=(check,))
    message = (
        "Module output value precondition failed: Target groups with protocol_version HTTP2 or GRPC take "
        'requests from HTTPS listeners only (ALB "x"): listeners["http"].default_action -> "rpc" (GRPC).'
    )
    assert plan_checks.case_problems(one, {"120": [message]}) == []
    assert plan_checks.case_problems(one, {"120": ['Another check: listeners["http"].default_action']}) == [
        f"case_120: no error with the rule of {check.label}"
    ]
    assert plan_checks.case_problems(one, {"120": [message.replace(".default_action", "")]}) == [
        f"case_120: the error of {check.label} names none of its fields"
    ]


def test_field_paths_match_any_key() -> None:
    pattern = plan_checks.field_pattern("listeners[*].rules[*].priority")
    assert pattern.search('listeners["https"].rules["admin"].priority = 0')
    assert not pattern.search('listeners["https"].priority')


# --- the security policies: one list, read by the module ----------------------------------------------------


def ssl_policies() -> dict[str, Any]:
    policies: dict[str, Any] = json.loads(
        (REPO_ROOT / "modules" / "listener" / "ssl-policies.json").read_text()
    )
    return policies


def test_the_policy_list_holds_the_default_and_no_duplicates() -> None:
    """https://docs.aws.amazon.com/elasticloadbalancing/latest/application/describe-ssl-policies.html"""
    data = ssl_policies()
    names = data["policies"]
    assert (
        data["source"]
        == "https://docs.aws.amazon.com/elasticloadbalancing/latest/application/describe-ssl-policies.html"
    )
    assert len(names) == len(set(names))
    variables = (REPO_ROOT / "modules" / "listener" / "variables.tf").read_text()
    default = re.search(r'variable "ssl_policy" \{.*?default\s*=\s*"([^"]+)"', variables, re.S)
    assert default and default.group(1) in names
    # The newest families the page documents.
    for name in (
        "ELBSecurityPolicy-TLS13-1-2-Res-PQ-2025-09",
        "ELBSecurityPolicy-TLS13-1-2-RFC9151-FIPS-2023-07",
    ):
        assert name in names


def test_every_documented_policy_follows_the_naming_scheme_additional_policies_are_held_to() -> None:
    variables = (REPO_ROOT / "modules" / "listener" / "variables.tf").read_text()
    block = variables[variables.index('variable "additional_ssl_policies"') :]
    scheme = re.search(r'can\(regex\("([^"]+)", p\)\)', block)
    assert scheme, "the naming scheme of additional_ssl_policies moved"
    pattern = re.compile(scheme.group(1).replace("\\\\", "\\"))
    assert [n for n in ssl_policies()["policies"] if not pattern.fullmatch(n)] == []
