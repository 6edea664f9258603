"""ALB wildcard patterns: ``*`` = any run of characters (``/`` included), ``?`` = exactly one character,
always a whole-value match. Query-string values may escape a literal ``*``/``?`` as ``\\*``/``\\?``."""

from __future__ import annotations

import re
from functools import lru_cache


@lru_cache(maxsize=4096)
def compile_pattern(pattern: str, *, ignore_case: bool, backslash_escapes: bool = False) -> re.Pattern[str]:
    out: list[str] = []
    i = 0
    while i < len(pattern):
        ch = pattern[i]
        if backslash_escapes and ch == "\\" and i + 1 < len(pattern) and pattern[i + 1] in "*?\\":
            out.append(re.escape(pattern[i + 1]))
            i += 2
            continue
        out.append(".*" if ch == "*" else "." if ch == "?" else re.escape(ch))
        i += 1
    flags = re.DOTALL | (re.IGNORECASE if ignore_case else 0)
    return re.compile("".join(out), flags)


def matches(pattern: str, value: str, *, ignore_case: bool, backslash_escapes: bool = False) -> bool:
    compiled = compile_pattern(pattern, ignore_case=ignore_case, backslash_escapes=backslash_escapes)
    return compiled.fullmatch(value) is not None
