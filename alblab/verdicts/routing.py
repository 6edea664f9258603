"""Which action does an ALB listener give a request? Rules by ascending priority, first match wins,
conditions ANDed (values ORed inside one, see ``conditions``); no match -> the default action."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from urllib.parse import unquote

from alblab.model import Action, Listener, Rule
from alblab.verdicts.conditions import mismatch


@dataclass
class Request:
    """An HTTP request as the ALB sees it.

    ``path`` may carry a ``?query`` (and a ``#fragment``, dropped): its pairs join ``query``. Pairs in
    ``query`` may be percent-encoded or not; both sides are decoded once before comparing.
    A header value may be a list when the header came several times.
    """

    method: str = "GET"
    host: str = ""
    path: str = "/"
    headers: Mapping[str, str | Sequence[str]] = field(default_factory=dict)
    query: Sequence[tuple[str, str]] = field(default_factory=list)
    source_ip: str = ""

    @property
    def path_only(self) -> str:
        return self.path.split("#", 1)[0].split("?", 1)[0]

    @property
    def query_pairs(self) -> list[tuple[str, str]]:
        pairs = [(unquote(k), unquote(v)) for k, v in self.query]
        _, sep, raw = self.path.split("#", 1)[0].partition("?")
        if sep:
            for part in raw.split("&"):
                if part:
                    key, _, value = part.partition("=")
                    pairs.append((unquote(key), unquote(value)))
        return pairs

    def header_values(self, name: str) -> list[str]:
        wanted = name.lower()
        values: list[str] = []
        for key, value in self.headers.items():
            if key.lower() == wanted:
                values.extend([value] if isinstance(value, str) else value)
        return values


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
