"""Names and quoting shared by every part of the HAProxy config renderer."""

from __future__ import annotations

import re

from alblab.model import Target, TargetGroup

# Characters HAProxy's config tokenizer passes through unchanged outside quotes (no space, '#', quote,
# backslash, '%' is kept too: plain arguments do not interpret it, log-format callers escape it themselves).
_SAFE = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./:^$*?()|[]+,=@~&;<>%")
_NAME_UNSAFE = re.compile(r"[^A-Za-z0-9_.-]")


def cfg_word(value: str) -> str:
    """One config word that HAProxy's tokenizer turns back into exactly ``value``.

    Every byte outside a conservative safe set becomes ``\\xNN``: it works for quotes, spaces, '#',
    newlines and non-ASCII alike, so no user string (fixed-response body, header value) can break a line.
    """
    if value == "":
        return "''"
    out: list[str] = []
    for ch in value:
        if ch in _SAFE:
            out.append(ch)
        else:
            out.extend(f"\\x{b:02x}" for b in ch.encode())
    return "".join(out)


def lf_literal(value: str) -> str:
    """Literal text inside a log-format string: '%' would start a sample expression."""
    return value.replace("%", "%%")


def backend_name(tg: TargetGroup) -> str:
    """The HAProxy backend for a target group (TG names are unique per region and account)."""
    return "tg-" + _NAME_UNSAFE.sub("_", tg.name)


def server_name(target: Target, port: int | None) -> str:
    """The HAProxy server for one registration; an instance may be registered on several ports."""
    return f"{_NAME_UNSAFE.sub('_', target.id)}_{port if port is not None else 'none'}"


def frontend_name(port: int) -> str:
    return f"listener-{port}"
