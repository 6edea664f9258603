"""Which action does an ALB listener give a request? Rules by ascending priority, first match wins,
conditions ANDed (values ORed inside one, see ``conditions``); no match -> the default action."""

from __future__ import annotations

from dataclasses import dataclass

from alblab.model import Action, Listener, Rule
from alblab.verdicts.conditions import mismatch
from alblab.verdicts.request import Request

__all__ = ["Decision", "Request", "RuleOutcome", "explain", "route"]


@dataclass(frozen=True)
class Decision:
    priority: int | None  # None: the listener's default action
    action: Action
    rule_arn: str | None = None


@dataclass(frozen=True)
class RuleOutcome:
    priority: int
    rule_arn: str
    matched: bool
    reason: str  # "matched", or the first condition that failed


def _first_mismatch(rule: Rule, request: Request) -> str | None:
    for condition in rule.conditions:
        reason = mismatch(condition, request)
        if reason is not None:
            return f"{condition.field}: {reason}"
    return None


def explain(listener: Listener, request: Request) -> list[RuleOutcome]:
    """Every rule in evaluation order with why it did (not) match; for failure messages."""
    outcomes = []
    for rule in listener.rules:
        reason = _first_mismatch(rule, request)
        outcomes.append(RuleOutcome(rule.priority, rule.arn, reason is None, reason or "matched"))
    return outcomes


def route(listener: Listener, request: Request) -> Decision:
    for rule in listener.rules:
        if _first_mismatch(rule, request) is None:
            return Decision(rule.priority, rule.action, rule.arn)
    return Decision(None, listener.default_action, None)
