"""The rules the strict layer enforces beyond the API model's shapes: each with the operations it guards,
the AWS error code it answers with and the AWS documentation it comes from (docs/differences.md lists
them, by id; a test keeps both in step)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from alblab.strict.request import ApiCall
from alblab.strict.world import World

Check = Callable[[ApiCall, World], None]


@dataclass(frozen=True)
class Rule:
    id: str
    service: str
    operations: tuple[str, ...]
    codes: tuple[str, ...]
    source: str
    check: Check


RULES: list[Rule] = []


def rule(
    id: str, service: str, operations: tuple[str, ...], codes: tuple[str, ...], source: str
) -> Callable[[Check], Check]:
    """Register ``check`` (raises ``Refusal``) for ``operations`` of ``service``."""

    def register(check: Check) -> Check:
        if any(r.id == id for r in RULES):
            raise ValueError(f"two strict rules named {id}")
        RULES.append(Rule(id, service, operations, codes, source, check))
        return check

    return register


def rules_for(service: str, operation: str) -> list[Rule]:
    return [r for r in RULES if r.service == service and operation in r.operations]
