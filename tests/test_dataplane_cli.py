"""The alblab CLI without a running lab: argument parsing, the privilege message, table rendering."""

from __future__ import annotations

import pytest
from plane_factories import fixed_rule, forward, stack

from alblab import cli
from alblab.dataplane import netns


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


def test_without_root_every_command_says_so(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(netns.os, "geteuid", lambda: 1000)
    problem = netns.privilege_problem()
    assert problem is not None and "root" in problem
    with pytest.raises(SystemExit, match="needs root"):
        cli.require_privileges()


def test_rule_and_action_descriptions() -> None:
    s = stack(rules=(fixed_rule(5, "/admin*", 403, "no"),))
    rule = s.load_balancer.listeners[0].rules[0]
    assert cli.describe_action(s, rule.action) == "fixed 403 'no'"
    assert cli.describe_condition(rule.conditions[0]) == "path-pattern ['/admin*']"
    assert cli.describe_action(s, forward(("web", 80), ("other", 20))).startswith("forward web:80, ")
    assert cli.table([["a", "bb"], ["ccc", "d"]]) == "a    bb\nccc  d"
