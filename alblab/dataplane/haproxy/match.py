"""ALB rule conditions as HAProxy ACLs.

ALB semantics kept here: the values of one condition are ORed (several patterns on one ACL), the
conditions of a rule are ANDed (the rule lists all its ACLs), and every ALB wildcard pattern is a whole-value
match (anchored regex) with '*' = 0..n characters and '?' = exactly one.
"""

from __future__ import annotations

from alblab.dataplane.haproxy.names import cfg_word
from alblab.model import Condition

_CLASS_NEEDS_BACKSLASH = set("^]\\")


def _literal(ch: str) -> str:
    """A regex atom matching ``ch`` literally; character classes keep the config free of backslashes."""
    if ch.isascii() and ch.isalnum():
        return ch
    if not ch.isascii():
        return ch
    if ch in _CLASS_NEEDS_BACKSLASH:
        return "\\" + ch
    return f"[{ch}]"


def _percent_equivalent(ch: str) -> str:
    """``ch`` or any percent-encoding of it: RFC 3986 lets a client encode any query character."""
    if not ch.isascii():
        return ch
    codes = {f"%{ord(ch):02X}"}
    if ch.isalpha():
        codes |= {f"%{ord(ch.lower()):02X}", f"%{ord(ch.upper()):02X}"}
    return "(" + "|".join([_literal(ch), *sorted(codes)]) + ")"


def wildcard_regex(
    pattern: str,
    *,
    star: str = ".*",
    qmark: str = ".",
    backslash_escapes: bool = False,
    percent_encoded: bool = False,
) -> str:
    """Translate an ALB wildcard pattern into an unanchored regex body.

    ``backslash_escapes``: query-string values may write a literal '*' or '?' as '\\*' / '\\?'.
    ``percent_encoded``: also accept the percent-encoded form of every literal character.
    """
    out: list[str] = []
    i = 0
    while i < len(pattern):
        ch = pattern[i]
        if backslash_escapes and ch == "\\" and i + 1 < len(pattern) and pattern[i + 1] in "*?\\":
            ch = pattern[i + 1]
            out.append(_percent_equivalent(ch) if percent_encoded else _literal(ch))
            i += 2
            continue
        if ch == "*":
            out.append(star)
        elif ch == "?":
            out.append(qmark)
        else:
            out.append(_percent_equivalent(ch) if percent_encoded else _literal(ch))
        i += 1
    return "".join(out)


def path_regex(pattern: str) -> str:
    """Path patterns are case-sensitive and match the path only (never the query string)."""
    return f"^{wildcard_regex(pattern)}$"


def host_regex(pattern: str) -> str:
    """Host patterns match the host name; a ':port' suffix in the Host header is ignored."""
    return f"^{wildcard_regex(pattern)}(:[0-9]+)?$"


def header_regex(pattern: str) -> str:
    return f"^{wildcard_regex(pattern)}$"


def query_regex(key: str | None, value: str) -> str:
    """One key/value pair (or a key-less value) anywhere in the raw query string.

    Wildcards stop at '&' so that one pattern cannot span two parameters.
    """
    opts = {"star": "[^&]*", "qmark": "[^&]", "backslash_escapes": True, "percent_encoded": True}
    value_re = wildcard_regex(value, **opts)
    if key is None:
        return f"(^|&)([^&=]*=)?{value_re}(&|$)"
    key_opts = {**opts, "star": "[^&=]*", "qmark": "[^&=]"}
    return f"(^|&){wildcard_regex(key, **key_opts)}={value_re}(&|$)"


def _patterns(regexes: list[str]) -> str:
    return " ".join(cfg_word(r) for r in regexes)


def condition_acl(acl_name: str, cond: Condition) -> str:
    """The ``acl`` line for one condition; its patterns are ORed by HAProxy."""
    if cond.field == "path-pattern":
        return f"acl {acl_name} path -m reg {_patterns([path_regex(v) for v in cond.values])}"
    if cond.field == "host-header":
        return f"acl {acl_name} req.hdr(host) -m reg -i {_patterns([host_regex(v) for v in cond.values])}"
    if cond.field == "http-header":
        if not cond.header_name:
            raise ValueError("http-header condition without a header name")
        # req.fhdr: full values (commas kept) and, in an ACL, every occurrence of the header is tried.
        fetch = f"req.fhdr({cfg_word(cond.header_name)})"
        return f"acl {acl_name} {fetch} -m reg -i {_patterns([header_regex(v) for v in cond.values])}"
    if cond.field == "http-request-method":
        return f"acl {acl_name} method -m str {' '.join(cfg_word(v) for v in cond.values)}"
    if cond.field == "query-string":
        regexes = [query_regex(k, v) for k, v in cond.query_pairs]
        return f"acl {acl_name} query -m reg -i {_patterns(regexes)}"
    if cond.field == "source-ip":
        # src is the TCP peer, never X-Forwarded-For: ALB evaluates the connection's address too.
        return f"acl {acl_name} src {' '.join(cfg_word(v) for v in cond.values)}"
    raise ValueError(f"unknown condition field {cond.field!r}")


def rule_acls(priority: int, conditions: tuple[Condition, ...]) -> list[tuple[str, str]]:
    """(acl name, acl line) per condition of one rule, in a stable order."""
    result = []
    for index, cond in enumerate(conditions):
        name = f"r{priority}_c{index}_{cond.field.split('-')[0]}"
        result.append((name, condition_acl(name, cond)))
    return result
