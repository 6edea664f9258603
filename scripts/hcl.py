"""A small HCL-aware scanner: block boundaries and top-level attribute extents, nothing more.

terraform-docs is not installable here, and the scripts need only where a block or an attribute ends, so
this tracks brackets, strings (with nested ``${...}`` interpolations), heredocs and comments, and leaves
expressions as text.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

HEREDOC = re.compile(r"<<(-?)([A-Za-z_][A-Za-z0-9_]*)[ \t]*\n")
_ATTR = re.compile(r"([A-Za-z_][A-Za-z0-9_-]*)\s*=(?!=)")


class HclError(ValueError):
    """The scanner met text it cannot delimit (unbalanced brackets, unterminated string)."""


def _skip_comment(src: str, i: int) -> int:
    """Index after the comment starting at i, or i when none starts there."""
    if src.startswith("#", i) or src.startswith("//", i):
        end = src.find("\n", i)
        return len(src) if end < 0 else end
    if src.startswith("/*", i):
        end = src.find("*/", i + 2)
        if end < 0:
            raise HclError(f"unterminated /* comment at offset {i}")
        return end + 2
    return i


def _skip_heredoc(src: str, i: int) -> int:
    """Index after the heredoc whose opener matches at i, or i when none does."""
    m = HEREDOC.match(src, i)
    if not m:
        return i
    closer = re.compile(rf"^[ \t]*{re.escape(m.group(2))}[ \t]*$", re.M)
    end = closer.search(src, m.end())
    if not end:
        raise HclError(f"unterminated heredoc {m.group(2)} at offset {i}")
    return end.end()


def _skip_string(src: str, i: int) -> int:
    """i is at an opening quote; return the index after the closing one."""
    j = i + 1
    while j < len(src):
        c = src[j]
        if c == "\\":
            j += 2
        elif c == '"':
            return j + 1
        elif src.startswith("${", j) or src.startswith("%{", j):
            j = skip_expression(src, j + 2, "}") + 1
        else:
            j += 1
    raise HclError(f"unterminated string at offset {i}")


def skip_expression(src: str, i: int, closer: str, *, stop_at_newline: bool = False) -> int:
    """Scan from i to the first unnested `closer` (or newline), returning its index."""
    depth = 0
    j = i
    while j < len(src):
        c = src[j]
        if depth == 0 and (c == closer or (stop_at_newline and c == "\n")):
            return j
        nxt = _skip_comment(src, j)
        if nxt != j:
            if stop_at_newline and depth == 0:
                return nxt
            j = nxt
            continue
        nxt = _skip_heredoc(src, j)
        if nxt != j:
            j = nxt
            continue
        if c == '"':
            j = _skip_string(src, j)
            continue
        if c in "([{":
            depth += 1
        elif c in ")]}":
            depth -= 1
            if depth < 0:
                raise HclError(f"unbalanced {c!r} at offset {j}")
        j += 1
    if stop_at_newline and depth == 0:
        return j
    raise HclError(f"missing {closer!r} after offset {i}")


def top_level_attributes(body: str) -> dict[str, str]:
    """Attributes of a block body (nested blocks skipped), as raw expression text."""
    attrs: dict[str, str] = {}
    i = 0
    while i < len(body):
        nxt = _skip_comment(body, i)
        if nxt != i:
            i = nxt
            continue
        if body[i].isspace():
            i += 1
            continue
        m = _ATTR.match(body, i)
        if m:
            end = skip_expression(body, m.end(), "\n", stop_at_newline=True)
            attrs[m.group(1)] = body[m.end() : end].strip()
            i = end
            continue
        # A nested block (`validation {`): skip its header and body.
        brace = body.find("{", i)
        if brace < 0:
            raise HclError(f"cannot read block body near {body[i : i + 40]!r}")
        i = skip_expression(body, brace + 1, "}") + 1
    return attrs


def top_level(src: str, header: re.Pattern[str]) -> Iterator[tuple[re.Match[str], str]]:
    """(header match, body) of every top-level block whose opening ``header`` matches, in file order."""
    i = 0
    while i < len(src):
        nxt = _skip_comment(src, i)
        if nxt != i:
            i = nxt
            continue
        m = header.match(src, i)
        if m and (i == 0 or src[i - 1] in "\n\r\t "):
            end = skip_expression(src, m.end(), "}")
            yield m, src[m.end() : end]
            i = end + 1
            continue
        if src[i] == "{":
            i = skip_expression(src, i + 1, "}") + 1
            continue
        i += 1
