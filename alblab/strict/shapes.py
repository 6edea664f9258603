"""The constraints of an operation's input shape (botocore's copy of the AWS API model): required members,
string lengths and patterns, number ranges, enums, list sizes.

ELBv2 answers a violation with ``ValidationError`` and one message for all of them, in the Coral form every
AWS query service uses (the wording seen in AWS answers, e.g. "1 validation error detected: Value '0' at
'port' failed to satisfy constraint: Member must have value greater than or equal to 1"): members are
named in lower camel case, list items as ``tags.1.member.value``.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import regex  # the models' patterns use \p{L}-style classes, which the re module lacks
from botocore.model import Shape, StructureShape

from alblab.strict.refusal import Refusal

_compiled: dict[str, Any] = {}


def violations(shape: Shape | None, value: Any, path: str = "") -> Iterator[str]:
    """One sentence per broken constraint, ``Value 'x' at 'path' failed to satisfy constraint: ...``."""
    if shape is None:
        return
    meta = shape.metadata
    kind = shape.type_name
    if kind == "structure" and isinstance(value, dict):
        assert isinstance(shape, StructureShape)
        for name in shape.required_members:
            if value.get(name) is None:
                where = _join(path, name)
                yield f"Value null at '{where}' failed to satisfy constraint: Member must not be null"
        for name, member in shape.members.items():
            if value.get(name) is not None:
                yield from violations(member, value[name], _join(path, name))
    elif kind == "list" and isinstance(value, list):
        yield from _bounds(value, path, meta, "length", len(value))
        for i, item in enumerate(value, start=1):
            yield from violations(shape.member, item, f"{path}.{i}.member")  # type: ignore[attr-defined]
    elif kind == "string" and isinstance(value, str):
        yield from _bounds(value, path, meta, "length", len(value))
        pattern = meta.get("pattern")
        if pattern is not None and not _matches(pattern, value):
            yield _sentence(value, path, f"Member must satisfy regular expression pattern: {pattern}")
        enum = meta.get("enum")
        if enum and value not in enum:
            yield _sentence(value, path, f"Member must satisfy enum value set: [{', '.join(enum)}]")
    elif kind in ("integer", "long") and isinstance(value, int):
        yield from _bounds(value, path, meta, "value", value)


def check(shape: Shape | None, params: dict[str, Any]) -> None:
    """Refuse the request as ELBv2 does when any constraint is broken."""
    found = list(violations(shape, params))
    if found:
        noun = "error" if len(found) == 1 else "errors"
        raise Refusal("ValidationError", f"{len(found)} validation {noun} detected: " + "; ".join(found))


def missing_required(shape: Shape | None, params: dict[str, Any]) -> str | None:
    """The first required top-level member that is absent (EC2 answers ``MissingParameter`` for it)."""
    if isinstance(shape, StructureShape):
        for name in shape.required_members:
            if params.get(name) is None:
                return name
    return None


def _bounds(value: Any, path: str, meta: dict[str, Any], what: str, size: int) -> Iterator[str]:
    low, high = meta.get("min"), meta.get("max")
    if low is not None and size < low:
        yield _sentence(value, path, f"Member must have {what} greater than or equal to {low}")
    if high is not None and size > high:
        yield _sentence(value, path, f"Member must have {what} less than or equal to {high}")


def _matches(pattern: str, value: str) -> bool:
    compiled = _compiled.get(pattern)
    if compiled is None:
        compiled = _compiled[pattern] = regex.compile(pattern)
    return compiled.fullmatch(value) is not None


def _sentence(value: Any, path: str, constraint: str) -> str:
    shown = "[" + ", ".join(str(v) for v in value) + "]" if isinstance(value, list) else str(value)
    return f"Value '{shown}' at '{path}' failed to satisfy constraint: {constraint}"


def _join(path: str, name: str) -> str:
    camel = name[:1].lower() + name[1:]
    return f"{path}.{camel}" if path else camel
