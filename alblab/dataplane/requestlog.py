"""Every request that crossed the plane, read back from the ALB nodes' request logs, in the model's words.

Each node appends one line per request to its process log (``haproxy.reqlog``). A reader keeps a cursor
(node name -> byte offset) and gets only what is new; without one it gets the recent tail. HAProxy's names
(backend, server, frontend) become the target group, the target and the listener port of the stack.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from alblab.dataplane.haproxy import backend_name, server_name
from alblab.dataplane.haproxy.backend import FAIL_OPEN_SUFFIX
from alblab.dataplane.haproxy.reqlog import RawRequest, parse
from alblab.model import Stack

Cursor = dict[str, int]  # ALB node name -> offset of the first unread byte of its log
TAIL_BYTES = 256 * 1024
NO_SERVER = "<NOSRV>"


@dataclass(frozen=True)
class LoggedRequest:
    """One request through the ALB, as the node that served it logged it."""

    time: float  # when the node accepted it, epoch seconds
    node: str  # the ALB node (n0, n1, ...)
    listener: int | None  # the listener's port
    method: str
    path: str
    uri: str  # path and query
    status: int
    rule: int | None  # the priority of the rule that matched; None: the listener's default action
    target_group: str  # the target group's name; "" when the ALB answered by itself (fixed, redirect)
    target: str  # the instance id or IP that answered; "" when none did
    port: int | None  # the target's port
    client: str  # the address the request came from
    total_ms: int


def _targets(stack: Stack) -> dict[tuple[str, str], tuple[str, str, int | None]]:
    """(HAProxy backend, server) -> (target group name, target id, port)."""
    out: dict[tuple[str, str], tuple[str, str, int | None]] = {}
    for tg in stack.target_groups.values():
        for target in tg.targets:
            port = tg.port_of(target)
            server = server_name(target, port)
            for name in (server, server + FAIL_OPEN_SUFFIX):
                out[(backend_name(tg), name)] = (tg.name, target.id, port)
    return out


def _listener(frontend: str) -> int | None:
    port = frontend.rsplit("-", 1)[-1]
    return int(port) if port.isdigit() else None


def _to_model(
    raw: RawRequest, node: str, targets: dict[tuple[str, str], tuple[str, str, int | None]]
) -> LoggedRequest:
    tg, target, port = targets.get((raw.backend, raw.server), ("", "", None))
    if raw.server != NO_SERVER and not target:
        tg = raw.backend.removeprefix("tg-")  # a target the stack no longer lists (it changed since)
    return LoggedRequest(
        time=raw.time,
        node=node,
        listener=_listener(raw.frontend),
        method=raw.method,
        path=raw.path,
        uri=raw.uri,
        status=raw.status,
        rule=raw.rule or None,
        target_group=tg,
        target=target,
        port=port,
        client=raw.client,
        total_ms=raw.total_ms,
    )


def _read_from(path: Path, offset: int | None) -> tuple[list[str], int]:
    """Whole lines from ``offset`` (None: the recent tail) and the offset after the last whole line."""
    try:
        with path.open("rb") as handle:
            size = handle.seek(0, 2)
            start = max(0, size - TAIL_BYTES) if offset is None else offset
            if start > size:
                start = 0  # a new file (the plane was rebuilt): read it from its start
            handle.seek(start)
            data = handle.read(size - start)
    except FileNotFoundError:
        return [], 0
    end = data.rfind(b"\n") + 1  # a line still being written stays for the next read
    lines = data[:end].decode(errors="replace").splitlines()
    if offset is None and start > 0 and lines:
        lines = lines[1:]  # the tail began inside a line
    return lines, start + end


def read(
    logs: dict[str, Path], stack: Stack, cursor: Cursor | None = None, tail: int = 200
) -> tuple[list[LoggedRequest], Cursor]:
    """The requests logged since ``cursor`` (without one: the last ``tail``), oldest first, and the cursor
    to pass next time. ``logs``: ALB node name -> its log file."""
    targets = _targets(stack)
    found: list[LoggedRequest] = []
    after: Cursor = {}
    for node, path in logs.items():
        lines, after[node] = _read_from(path, None if cursor is None else cursor.get(node, 0))
        for line in lines:
            raw = parse(line)
            if raw is not None:
                found.append(_to_model(raw, node, targets))
    found.sort(key=lambda r: (r.time, r.node))
    if cursor is None:
        found = found[-tail:] if tail else []
    return found, after
