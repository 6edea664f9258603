"""The one presenter: how a rule, an action, a plan and the targets read wherever alblab prints them."""

from __future__ import annotations

from plane_factories import fixed_rule, forward, stack

from alblab import present


def test_rule_and_action_words() -> None:
    s = stack(rules=(fixed_rule(5, "/admin*", 403, "no"),))
    rule = s.load_balancer.listeners[0].rules[0]
    assert present.action(s, rule.action) == "fixed 403 'no'"
    assert present.condition(rule.conditions[0]) == "path-pattern ['/admin*']"
    assert present.action(s, forward(("web", 80), ("other", 20))).startswith("forward web:80, ")
    assert present.table([["a", "bb"], ["ccc", "d"]]) == "a    bb\nccc  d"


def test_rules_table_lists_rules_in_order_then_the_default() -> None:
    s = stack(rules=(fixed_rule(20, "/b*", 404, "b"), fixed_rule(5, "/a*", 403, "a")))
    lines = present.rules_table(s).splitlines()
    assert lines[0].split() == ["listener", "priority", "conditions", "action"]
    assert [line.split()[1] for line in lines[1:]] == ["5", "20", "default"]


def test_plan_lines_count_a_replacement_as_an_add_and_a_destroy() -> None:
    plan = {
        "resource_changes": [
            {"address": "aws_lb.this", "mode": "managed", "change": {"actions": ["update"]}},
            {"address": "aws_instance.a", "mode": "managed", "change": {"actions": ["delete", "create"]}},
            {"address": "aws_vpc.x", "mode": "managed", "change": {"actions": ["create"]}},
            {"address": "data.aws_ami.y", "mode": "data", "change": {"actions": ["read"]}},
            {"address": "aws_subnet.z", "mode": "managed", "change": {"actions": ["no-op"]}},
        ]
    }
    assert present.plan_lines(plan) == [
        "  -/+ aws_instance.a (replace)",
        "  ~ aws_lb.this",
        "  + aws_vpc.x",
        "Plan: 2 to add, 1 to change, 1 to destroy.",
    ]
