"""The per-request log of an ALB node: one JSON line per request, written by the worker on its stdout.

An ALB node's stdout is its process log (``Nodes`` starts HAProxy with stdout and stderr there), so this log
needs no socket and no extra process, survives a hot reload (old and new workers append to the same file)
and a restarted node, and is read back by the plane (``alblab.dataplane.requestlog``). HAProxy's own
messages share that file; a request line is told apart by its first bytes (``TAG``).

Request headers are gone when HAProxy logs, so a line carries what HAProxy keeps from the request line
(method, path, URI) and the transaction: the listener, the matched rule (``txn.rule``: the rule's priority,
0 for the default action), the backend and server that answered, the status, the times.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from alblab.dataplane.haproxy.names import cfg_word

TAG = '{"alblab-request":1,'
# %{+E} escapes '"' and '\' with a backslash (HAProxy already writes other unsafe bytes as #XX), so every
# string field is valid JSON; %Ts.%ms is the accept time in epoch seconds with milliseconds.
_FIELDS = (
    '"time":%Ts.%ms',
    '"frontend":"%ft"',
    '"backend":"%b"',
    '"server":"%s"',
    '"status":%ST',
    '"method":"%{+E}HM"',
    '"path":"%{+E}HP"',
    '"uri":"%{+E}HU"',
    '"rule":"%[var(txn.rule)]"',
    '"client":"%ci"',
    '"total_ms":%Tt',
    '"termination":"%ts"',
)
FORMAT = TAG + ",".join(_FIELDS) + "}"


def global_lines(request_log: bool) -> str:
    """Lines for the ``global`` section: where log lines go (the worker's stdout)."""
    return "    log stdout format raw local0 info\n" if request_log else ""


def defaults_lines(request_log: bool) -> str:
    """Lines for the ``defaults`` section: every frontend logs each request in ``FORMAT``."""
    if not request_log:
        return ""
    return f"    log global\n    log-format {cfg_word(FORMAT)}\n"


@dataclass(frozen=True)
class RawRequest:
    """One request line as HAProxy wrote it (HAProxy's names; the plane maps them to the model)."""

    time: float
    frontend: str
    backend: str
    server: str
    status: int
    method: str
    path: str
    uri: str
    rule: int | None  # the matched rule's priority, 0 for the default action; None when none was chosen
    client: str
    total_ms: int
    termination: str


def parse(line: str) -> RawRequest | None:
    """A request line of the node's log, or None for anything else (HAProxy's notices, a torn line)."""
    if not line.startswith(TAG):
        return None
    try:
        data: dict[str, Any] = json.loads(line)
        rule = str(data["rule"])
        return RawRequest(
            time=float(data["time"]),
            frontend=str(data["frontend"]),
            backend=str(data["backend"]),
            server=str(data["server"]),
            status=int(data["status"]),
            method=str(data["method"]),
            path=str(data["path"]),
            uri=str(data["uri"]),
            rule=int(rule) if rule.isdigit() else None,
            client=str(data["client"]),
            total_ms=int(data["total_ms"]),
            termination=str(data["termination"]),
        )
    except (ValueError, KeyError, TypeError):
        return None
