"""One ALB rule condition against one request. Each check returns None on a match, else why not.

Semantics (Elastic Load Balancing user guide, "Condition types for listener rules"):
- values of one condition are ORed; the caller ANDs the conditions of a rule;
- path-pattern: case-sensitive wildcards against the path only (never the query string);
- host-header: case-insensitive wildcards against the host name without its ``:port``;
- http-header: header name case-insensitive, values case-insensitive wildcards; absent header = no match;
- http-request-method: exact and case-sensitive, no wildcards;
- query-string: (key, value) pairs case-insensitive wildcards, a missing key matches any key, pairs are
  ORed, percent-decoding applies to both sides, ``\\*``/``\\?`` are literal;
- source-ip: the peer address (not X-Forwarded-For) inside any of the CIDRs, IPv4 or IPv6.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING
from urllib.parse import unquote

from alblab.model import Condition
from alblab.verdicts.wildcard import matches

if TYPE_CHECKING:
    from alblab.verdicts.request import Request

Check = Callable[[Condition, "Request"], str | None]


def _show(values: Iterable[object]) -> str:
    return ", ".join(repr(v) for v in values)


def host_without_port(host: str) -> str:
    if host.startswith("["):  # IPv6 literal: "[::1]:8080"
        end = host.find("]")
        return host[: end + 1] if end != -1 else host
    name, sep, port = host.rpartition(":")
    return name if sep and port.isdigit() else host


def _path(condition: Condition, request: Request) -> str | None:
    path = request.path_only
    if any(matches(v, path, ignore_case=False) for v in condition.values):
        return None
    return f"path {path!r} matches none of {_show(condition.values)}"


def _host(condition: Condition, request: Request) -> str | None:
    host = host_without_port(request.host)
    if any(matches(v, host, ignore_case=True) for v in condition.values):
        return None
    return f"host {host!r} matches none of {_show(condition.values)}"


def _header(condition: Condition, request: Request) -> str | None:
    name = condition.header_name or ""
    values = request.header_values(name)
    if not values:
        return f"no {name} header"
    if any(matches(p, v, ignore_case=True) for p in condition.values for v in values):
        return None
    return f"header {name} {_show(values)} matches none of {_show(condition.values)}"


def _method(condition: Condition, request: Request) -> str | None:
    if request.method in condition.values:
        return None
    return f"method {request.method!r} is none of {_show(condition.values)}"


def _pair_matches(key: str | None, value: str, request_key: str, request_value: str) -> bool:
    if key is not None and not matches(unquote(key), request_key, ignore_case=True, backslash_escapes=True):
        return False
    return matches(unquote(value), request_value, ignore_case=True, backslash_escapes=True)


def _query(condition: Condition, request: Request) -> str | None:
    pairs = request.query_pairs
    for key, value in condition.query_pairs:
        if any(_pair_matches(key, value, k, v) for k, v in pairs):
            return None
    wanted = [f"{k}={v}" if k is not None else f"(any key)={v}" for k, v in condition.query_pairs]
    return f"query {_show(f'{k}={v}' for k, v in pairs) or '(empty)'} has none of {_show(wanted)}"


def _source_ip(condition: Condition, request: Request) -> str | None:
    try:
        address = ipaddress.ip_address(request.source_ip)
    except ValueError:
        return f"source ip {request.source_ip!r} is not an address"
    for cidr in condition.values:
        network = ipaddress.ip_network(cidr, strict=False)
        if address in network:
            return None
    return f"source ip {request.source_ip} is in none of {_show(condition.values)}"


CHECKS: dict[str, Check] = {
    "path-pattern": _path,
    "host-header": _host,
    "http-header": _header,
    "http-request-method": _method,
    "query-string": _query,
    "source-ip": _source_ip,
}


def mismatch(condition: Condition, request: Request) -> str | None:
    """None when ``request`` satisfies ``condition``, else a short reason."""
    try:
        check = CHECKS[condition.field]
    except KeyError:
        raise ValueError(f"unknown condition field {condition.field!r}") from None
    return check(condition, request)
