"""The alblab CLI without a running lab: argument parsing, the privilege message, table rendering."""

from __future__ import annotations

import pytest
from plane_factories import fixed_rule, forward, stack

from alblab import cli
from alblab.dataplane import availability, sandbox


def test_parser_accepts_the_documented_commands() -> None:
    p = cli.parser()
    args = p.parse_args(
        ["curl", "/a", "--method", "POST", "--host", "h", "--header", "K: V", "--header", "X: Y"]
    )
    assert (args.path, args.method, args.host, args.header) == ("/a", "POST", "h", ["K: V", "X: Y"])
    assert p.parse_args(["reach", "i-1"]).port == 80
    assert p.parse_args(["reach", "i-1", "8080"]).port == 8080
    assert p.parse_args(["fail", "i-1", "--mode", "dead"]).mode == "dead"
    for command in ("up examples/basic", "apply", "status", "heal i-1", "down"):
        assert p.parse_args(command.split()).fn is not None


@pytest.mark.parametrize(
    ("sysctl", "value", "fix"),
    [
        ("kernel.apparmor_restrict_unprivileged_userns", 1, "kernel.apparmor_restrict_unprivileged_userns=0"),
        ("user.max_user_namespaces", 0, "user.max_user_namespaces=10000"),
        ("kernel.unprivileged_userns_clone", 0, "kernel.unprivileged_userns_clone=1"),
        ("", None, "run as root"),
    ],
)
def test_without_root_or_user_namespaces_every_command_says_why(
    monkeypatch: pytest.MonkeyPatch, sysctl: str, value: int | None, fix: str
) -> None:
    monkeypatch.setattr(sandbox.os, "geteuid", lambda: 1000)
    monkeypatch.delenv(sandbox.MODE_VAR, raising=False)
    monkeypatch.setattr(sandbox, "_trial_unshare", lambda: "unshare: write failed /proc/self/uid_map")
    monkeypatch.setattr(sandbox, "_sysctl", lambda name: value if name == sysctl else None)
    problem = availability()
    assert problem is not None and fix in problem and "\n" not in problem
    with pytest.raises(SystemExit, match=fix.replace(".", "[.]")):
        cli.require_privileges()


def test_forced_mode_that_cannot_run_says_so(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sandbox.os, "geteuid", lambda: 1000)
    monkeypatch.setenv(sandbox.MODE_VAR, "root")
    assert "not root" in str(availability())
    monkeypatch.setenv(sandbox.MODE_VAR, "fast")
    assert "ALBLAB_DATAPLANE='fast'" in str(availability())


def test_rule_and_action_descriptions() -> None:
    s = stack(rules=(fixed_rule(5, "/admin*", 403, "no"),))
    rule = s.load_balancer.listeners[0].rules[0]
    assert cli.describe_action(s, rule.action) == "fixed 403 'no'"
    assert cli.describe_condition(rule.conditions[0]) == "path-pattern ['/admin*']"
    assert cli.describe_action(s, forward(("web", 80), ("other", 20))).startswith("forward web:80, ")
    assert cli.table([["a", "bb"], ["ccc", "d"]]) == "a    bb\nccc  d"
