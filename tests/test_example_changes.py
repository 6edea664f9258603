"""Each example changed as its users would change it, applied over the stack the session applied (after the
other tests used it, before the destroy phase): the same Terraform state, with requests through the data
plane while the change applies. Not one may fail, and the diffs must say what the change does.

The changes are the ones most ALB incidents come from: a target group replaced while a listener uses it
(a new name, a new port), security-group CIDRs replaced, a listener certificate added, a rule moved ahead
of others, a canary's weights shifted.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from alblab import examples as ex
from alblab.change import ChangeReport, apply_change
from alblab.dataplane import availability
from alblab.workspace import copy_config, write_self_signed

pytestmark = [
    pytest.mark.apply,
    pytest.mark.dataplane,
    pytest.mark.change_phase,
    pytest.mark.timeout(1800),
    pytest.mark.skipif(availability() is not None, reason=str(availability())),
]
# Changes at once: each runs an apply, a data plane, a request loop and the API poller on two shared cores.
PARALLEL = 3


@dataclass(frozen=True)
class Change:
    what: str
    edits: tuple[tuple[str, str, str], ...] = ()  # (file, text, replacement) in a copy of the example
    variables: dict[str, Any] = field(default_factory=dict)
    extra_files: Callable[[ex.AppliedExample], dict[str, Any]] | None = None  # more variables, made at run


def extra_certificate(item: ex.AppliedExample) -> dict[str, Any]:
    """A certificate for another domain, with its key where the data plane finds it (the work copy's keys)."""
    crt, key = write_self_signed(item.workspace.key_dir, "extra", ["example.org", "*.example.org"])
    return {"extra_certificate_pem_file": str(crt), "extra_private_key_pem_file": str(key)}


HTTPS_EXTRA = """
variable "extra_certificate_pem_file" {
  type = string
}

variable "extra_private_key_pem_file" {
  type = string
}

resource "aws_acm_certificate" "extra" {
  certificate_body = file(var.extra_certificate_pem_file)
  private_key      = file(var.extra_private_key_pem_file)
  tags             = { Name = "${var.name}-extra" }

  lifecycle {
    create_before_destroy = true
  }
}
"""

CHANGES: dict[str, Change] = {
    "basic": Change(
        "the target group gets a name of its own: AWS replaces it while the listener forwards to it",
        edits=(("main.tf", "    web = {\n", '    web = {\n      name        = "${var.name}-site"\n'),),
    ),
    "hardening": Change(
        "the listener's open range is split in two CIDRs: the 0.0.0.0/0 rule is replaced by two others",
        variables={"allowed_cidrs": ["0.0.0.0/1", "128.0.0.0/1"]},
    ),
    "https": Change(
        "a certificate for a third domain is added to the HTTPS listener",
        edits=(
            (
                "main.tf",
                "        sni = aws_acm_certificate.sni.arn\n",
                "        sni   = aws_acm_certificate.sni.arn\n"
                "        extra = aws_acm_certificate.extra.arn\n",
            ),
            ("main.tf", '\nmodule "alb" {', HTTPS_EXTRA + '\nmodule "alb" {'),
        ),
        extra_files=extra_certificate,
    ),
    "multi-app": Change(
        "the blog's path rule moves ahead of the host rules (to a priority no rule holds)",
        edits=(
            (
                "main.tf",
                "        blog-path = {\n          priority   = 40",
                "        blog-path = {\n          priority   = 5",
            ),
        ),
    ),
    "path-routing": Change(
        "the on-premises servers move to port 8080: their target group is replaced, their SG rule too",
        edits=(
            (
                "main.tf",
                '      target_type  = "ip"\n      port         = 80',
                '      target_type  = "ip"\n      port         = 8080',
            ),
        ),
    ),
    "complete": Change(
        "the canary's weights shift from 80/20 to 50/50",
        edits=(
            (
                "main.tf",
                "blue  = { weight = 80 }\n                green = { weight = 20 }",
                "blue  = { weight = 50 }\n                green = { weight = 50 }",
            ),
        ),
    ),
}


def changed_copy(item: ex.AppliedExample, change: Change, into: Path) -> Path | None:
    """A copy of the example (module sources still pointing at the originals) with the change's edits."""
    if not change.edits:
        return None
    copy = copy_config(item.handle.source, into)
    for name, text, replacement in change.edits:
        target = copy / name
        original = target.read_text()
        assert original.count(text) == 1, f"{item.example}/{name}: the text to change is not there once"
        target.write_text(original.replace(text, replacement))
    return copy


def run_change(item: ex.AppliedExample, change: Change, work: Path) -> ChangeReport:
    variables = dict(change.variables)
    if change.extra_files is not None:
        variables.update(change.extra_files(item))
    try:
        return apply_change(item.handle, changed_copy(item, change, work / item.example), variables or None)
    finally:
        item.handle.teardown_plane()


@pytest.fixture(scope="module")
def changed(
    applied: dict[str, ex.AppliedExample], work_root: Path
) -> dict[str, ChangeReport | BaseException]:
    """Every example's change, a few at once; an example that did not apply is left out."""
    out: dict[str, ChangeReport | BaseException] = {}

    def one(name: str) -> None:
        try:
            out[name] = run_change(applied[name], CHANGES[name], work_root / "changes")
        except BaseException as exc:  # reported by that example's test
            out[name] = exc

    names = [name for name in CHANGES if applied[name].error is None]
    with ThreadPoolExecutor(max_workers=PARALLEL) as pool:
        list(pool.map(one, names))
    return out


def report_of(changed: dict[str, ChangeReport | BaseException], example: str) -> ChangeReport:
    if example not in changed:
        pytest.fail(f"{example} did not apply, so it was not changed")
    got = changed[example]
    if isinstance(got, BaseException):
        raise got
    print(f"{example}: {CHANGES[example].what}\n{got.text()}")
    got.assert_applies()
    got.assert_no_errors_during_change()
    assert got.traffic is not None and got.traffic.sent >= 20, "too few requests to judge the change"
    return got


def test_every_example_has_a_change() -> None:
    assert set(CHANGES) == set(ex.list_examples())


def test_basic_target_group_replaced_in_use(changed: dict[str, ChangeReport | BaseException]) -> None:
    report = report_of(changed, "basic")
    report.assert_routes_unchanged()
    (line,) = report.target_groups
    assert line.startswith('target_group["web"]: ') and "-site-" in line.split("->")[1]
    done = [op.describe() for op in report.operations]
    # The replacement is created and the listener moved to it before the old group is deleted.
    create = done.index('create module.alb.module.target_group["web"].aws_lb_target_group.this')
    switch = done.index('update module.alb.module.listener["http"].aws_lb_listener.this')
    delete = done.index('delete module.alb.module.target_group["web"].aws_lb_target_group.this')
    assert create < switch < delete, done


def test_hardening_cidrs_replaced(changed: dict[str, ChangeReport | BaseException]) -> None:
    report = report_of(changed, "hardening")
    report.assert_routes_unchanged()
    assert all(c.destination.startswith("the ALB (") and c.ports == "tcp/80" for c in report.reach), (
        report.reach
    )
    assert sorted((c.change, c.peer) for c in report.reach) == [
        ("closed", "0.0.0.0/0"),
        ("opened", "0.0.0.0/1"),
        ("opened", "128.0.0.0/1"),
    ]


def test_https_certificate_added(changed: dict[str, ChangeReport | BaseException]) -> None:
    report = report_of(changed, "https")
    report.assert_routes_unchanged()
    assert 'create module.alb.module.listener["https"].aws_lb_listener_certificate.this["extra"]' in [
        op.describe() for op in report.operations
    ]


def test_multi_app_rule_moved_ahead(changed: dict[str, ChangeReport | BaseException]) -> None:
    report = report_of(changed, "multi-app")
    moved = [c for c in report.routing if c.request.host == "shop.example.com" and c.request.path == "/blog"]
    assert moved, [c.describe() for c in report.routing]
    assert (moved[0].before.rule, moved[0].after.rule) == ("rule 10", "rule 5")
    report.assert_routes_unchanged(except_="/blog*")


def test_path_routing_ip_target_group_moves_port(changed: dict[str, ChangeReport | BaseException]) -> None:
    report = report_of(changed, "path-routing")
    report.assert_routes_unchanged()
    (line,) = report.target_groups
    assert (
        line.startswith('target_group["desktop"]: ') and "HTTP:80 ->" in line and line.endswith("HTTP:8080")
    )


def test_complete_canary_shifted(changed: dict[str, ChangeReport | BaseException]) -> None:
    report = report_of(changed, "complete")
    assert {(c.before.answer, c.after.answer) for c in report.routing} == {
        ('forward target_group["blue"]:80, target_group["green"]:20 sticky 600s',
         'forward target_group["blue"]:50, target_group["green"]:50 sticky 600s'),
    }  # fmt: skip
