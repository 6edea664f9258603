"""What the console shows and does, kept current: the stack from the API, its data plane's health and
requests, the lab's step; and the actions the page may take on that one stack.

One watcher thread polls cheap things (file times, the ALB nodes' stats sockets, the request logs) and
re-reads the API only when a record changed (an apply, a converge, ``down``) or every ``REREAD_S``. Whatever
fails while reading — the emulator gone, the ALB deleted, the plane torn down — becomes the status and
message the page shows; the watcher goes on and picks the stack up again when it comes back.

The console only observes the plane another process owns (``DataPlane.attach(repair=False)``): it never
restarts a part while the lab or ``alblab apply`` is converging it.
"""

from __future__ import annotations

import contextlib
import queue
import re
import sys
import threading
import time
import traceback
from collections import Counter, deque
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from alblab.console import mapview
from alblab.errors import AlblabError
from alblab.lab import current, notes
from alblab.lab.observe import short_names
from alblab.session import SESSION_FILE, Session, StackRecord
from alblab.state import read_stack

if TYPE_CHECKING:
    from alblab.dataplane import DataPlane, LoggedRequest
    from alblab.model import Stack

POLL_S = 0.3
HEALTH_S = 1.0
REREAD_S = 30.0
KEEP = 200  # requests kept for a page that (re)connects
MAX_COUNT = 100
FAIL_MODES = ("unhealthy", "dead")
EMULATOR_GONE = "the AWS emulator is not running (the stack went down with it)"
EXIT_GRACE_S = 3.0  # how long an emulator that stopped answering may take to exit
_TOKEN = re.compile(r"^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,20}$")
_PRINTABLE = re.compile(r"^[\x21-\x7e]*$")


class ActionError(Exception):
    """A request the page may fix (400) or cannot make now (503): one line for the page."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


@dataclass
class Watched:
    """What was read last, to see whether anything changed since."""

    stamps: tuple[float, ...] = ()
    at: float = 0.0


def _mtime(path: Path | None) -> float:
    if path is None:
        return 0.0
    try:
        return path.stat().st_mtime
    except OSError:
        return 0.0


class Live:
    def __init__(self, home: Path, stack_key: str, lab_dir: Path | None = None) -> None:
        self.home = Path(home)
        self.key = stack_key
        self.lab_dir = lab_dir
        self._lock = threading.RLock()
        self._subscribers: list[queue.Queue[tuple[str, Any]]] = []
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._watched = Watched()
        self._record: StackRecord | None = None
        self._last_health = 0.0
        # What the page sees
        self.status = "starting"
        self.message = ""
        self.stack: Stack | None = None
        self.plane: DataPlane | None = None
        self.names: dict[str, str] = {}
        self.map: dict[str, Any] | None = None
        self.health: dict[str, Any] = {}
        self.requests: deque[dict[str, Any]] = deque(maxlen=KEEP)
        self.counts: Counter[str] = Counter()
        self.lab: dict[str, Any] | None = None
        self._cursor: dict[str, int] | None = None
        self._seq = 0

    # --- the page's view ---------------------------------------------------------------------------

    def snapshot(self) -> dict[str, Any]:
        with self._lock:
            return {
                "stack": self.key,
                "status": self.status,
                "message": self.message,
                "lab": self.lab,
                "map": self.map,
                "health": self.health,
                "requests": list(self.requests),
                "counts": dict(self.counts),
                "fail_mode": "dead" if self.lab_dir else "unhealthy",
            }

    def subscribe(self) -> queue.Queue[tuple[str, Any]]:
        q: queue.Queue[tuple[str, Any]] = queue.Queue(maxsize=500)
        with self._lock:
            self._subscribers.append(q)
        return q

    def unsubscribe(self, q: queue.Queue[tuple[str, Any]]) -> None:
        with self._lock, contextlib.suppress(ValueError):
            self._subscribers.remove(q)

    def _publish(self, event: str, data: Any) -> None:
        with self._lock:
            for q in list(self._subscribers):
                try:
                    q.put_nowait((event, data))
                except queue.Full:  # a page that stopped reading: it gets everything anew when it reconnects
                    self._subscribers.remove(q)

    # --- watching ----------------------------------------------------------------------------------

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="console-watch", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=10)

    def _run(self) -> None:
        while True:
            try:
                self.tick()
            except Exception as exc:  # the console outlives whatever the stack does; the log keeps the why
                traceback.print_exc(file=sys.stderr)
                self._set_status("down", f"unexpected {type(exc).__name__}: {exc}")
            if self._stop.wait(POLL_S):
                return

    def _stamp_paths(self) -> list[Path | None]:
        record = self._record
        paths: list[Path | None] = [self.home / SESSION_FILE]
        paths.append(Path(record.workdir) / "terraform.tfstate" if record else None)
        paths.append(Path(record.plane_dir) / "plane.json" if record and record.plane_dir else None)
        paths.append(self.lab_dir / current.STEP_FILE if self.lab_dir else None)
        return paths

    def tick(self) -> None:
        """One round: re-read the stack when a record changed, then health and new requests."""
        stamps = tuple(_mtime(p) for p in self._stamp_paths())
        now = time.monotonic()
        if stamps != self._watched.stamps or now - self._watched.at > REREAD_S:
            self.reload()
            self._watched = Watched(tuple(_mtime(p) for p in self._stamp_paths()), now)
        if self.plane is None:
            return
        self._read_requests()
        if now - self._last_health >= HEALTH_S:
            self._last_health = now
            self._read_health()

    def _set_status(self, status: str, message: str) -> None:
        with self._lock:
            changed = (status, message) != (self.status, self.message)
            self.status, self.message = status, message
            if status in ("down", "no-alb"):
                self.stack, self.plane, self.map, self.health = None, None, None, {}
        if changed:
            self._publish("state", self.snapshot())

    def _lab_step(self) -> None:
        step = current.load(self.lab_dir) if self.lab_dir else None
        with self._lock:
            self.lab = notes.step_info(step) if step else None

    def reload(self) -> None:
        """The stack afresh from the API and the plane from its record; the status says what is missing."""
        self._lab_step()
        try:
            session = Session(self.home)
        except AlblabError as exc:
            self._set_status("down", str(exc))
            return
        record = session.record.stacks.get(self.key)
        self._record = record
        if record is None:
            self._set_status("down", f"the stack {self.key!r} is not up (it was taken down)")
            return
        if not session.real_aws and not session.emulator_alive():
            self._set_status("down", EMULATOR_GONE)
            return
        if not record.lb:
            self._set_status("no-alb", "no load balancer yet")
            return
        try:
            # The stack's own emulated account (its key) holds its ALB.
            stack = read_stack(session.stack(self.key).clients(), arn=record.lb["arn"])
        except Exception as exc:  # botocore's errors, a deleted ALB, an emulator stopping right now
            if not session.real_aws and _gone_soon(session.emulator_alive):
                # It closed its port while exiting: say what happened, not what the read saw.
                self._set_status("down", EMULATOR_GONE)
            else:
                self._set_status("down", f"the load balancer cannot be read from the API: {_first_line(exc)}")
            return
        plane, problem = self._attach(stack, record)
        names = short_names(stack, record.name) if self.lab_dir else {}
        nodes = [(n.name, n.ip, n.az) for n in plane.alb_nodes] if plane else []
        view = mapview.build(stack, nodes, plane.client_ip if plane else None, names)
        with self._lock:
            fresh_plane = plane is not None and self.plane is None
            self.stack, self.plane, self.names, self.map = stack, plane, names, view
            self.status = "up" if plane else "map-only"
            self.message = problem
        if fresh_plane:
            self._cursor = None  # the recent tail of the logs first
        if plane is not None:
            self._read_requests(publish=False)
            self._read_health(publish=False)
        self._publish("state", self.snapshot())

    def _attach(self, stack: Stack, record: StackRecord) -> tuple[DataPlane | None, str]:
        from alblab.dataplane import DataPlane, DataPlaneError

        run_dir = Path(record.plane_dir) if record.plane_dir else None
        if run_dir is None or not (run_dir / "plane.json").is_file():
            return None, "this stack has no data plane: no traffic to show"
        try:
            return DataPlane.attach(stack, run_dir, repair=False), ""
        except DataPlaneError as exc:
            return None, f"the data plane cannot be used: {exc}"

    def _read_health(self, publish: bool = True) -> None:
        plane = self.plane
        if plane is None:
            return
        per_node, combined = plane.health(), plane.target_health()
        health = {
            mapview.target_key(tg, target.rsplit(":", 1)[0], _port(target)): {
                "nodes": nodes,
                "state": combined.get(tg, {}).get(target, "unknown"),
            }
            for tg, rows in per_node.items()
            for target, nodes in rows.items()
        }
        with self._lock:
            changed = health != self.health
            self.health = health
        if changed and publish:
            self._publish("health", {"health": health})

    def _read_requests(self, publish: bool = True) -> None:
        plane = self.plane
        if plane is None:
            return
        found, self._cursor = plane.requests(self._cursor, tail=50)
        if not found:
            return
        items = [self._item(r) for r in found]
        with self._lock:
            self.requests.extend(items)
            self.counts.update(i["key"] for i in items if i["key"])
            counts = dict(self.counts)
        if publish:
            self._publish("requests", {"items": items, "counts": counts})

    def _item(self, r: LoggedRequest) -> dict[str, Any]:
        self._seq += 1
        key = mapview.target_key(r.target_group, r.target, r.port) if r.target else ""
        return {
            "seq": self._seq,
            "time": r.time,
            "node": r.node,
            "listener": r.listener,
            "method": r.method,
            "uri": r.uri,
            "status": r.status,
            "rule": r.rule,
            "target_group": r.target_group,
            "target": r.target,
            "name": self.names.get(r.target, "") or self._instance_name(r.target),
            "port": r.port,
            "key": key,
        }

    def _instance_name(self, target: str) -> str:
        stack = self.stack
        instance = stack.instances.get(target) if stack else None
        return instance.name if instance and instance.name else target

    # --- actions -----------------------------------------------------------------------------------

    def _plane(self) -> DataPlane:
        plane = self.plane
        if plane is None:
            raise ActionError(self.message or f"the stack is {self.status}", status=503)
        return plane

    def _owner(self, plane: DataPlane, name: Any) -> str:
        from alblab.dataplane import DataPlaneError

        if not isinstance(name, str) or not name:
            raise ActionError("target: the name or id of an instance (or an IP target)")
        try:
            return plane.resolve_owner(self._lab_id(name))
        except DataPlaneError as exc:
            raise ActionError(str(exc)) from None

    def _lab_id(self, name: str) -> str:
        """The lab's own names (web-a) for its instances."""
        for owner, called in self.names.items():
            if called == name and owner.startswith("i-"):
                return owner
        return name

    def send(self, body: dict[str, Any]) -> dict[str, Any]:
        from alblab.dataplane import DataPlaneError

        plane = self._plane()
        path = body.get("path", "/")
        count = body.get("count", 1)
        method = str(body.get("method") or "GET").upper()
        host = body.get("host") or None
        header = body.get("header") or ""
        port = body.get("port") or None
        if (
            not isinstance(path, str)
            or not path.startswith("/")
            or not _PRINTABLE.match(path)
            or len(path) > 2000
        ):
            raise ActionError(f"path {path!r}: it must start with '/' and hold no spaces (e.g. /mobile)")
        if not isinstance(count, int) or isinstance(count, bool) or not 1 <= count <= MAX_COUNT:
            raise ActionError(f"count {count!r}: a number from 1 to {MAX_COUNT}")
        if not _TOKEN.match(method):
            raise ActionError(f"method {method!r}: an HTTP method such as GET or POST")
        if host is not None and (not isinstance(host, str) or not _PRINTABLE.match(host) or len(host) > 255):
            raise ActionError(f"Host {host!r}: a host name without spaces")
        if not isinstance(header, str) or any(c in header for c in "\r\n"):
            raise ActionError("header: one 'Name: value' line")
        if port is not None and (not isinstance(port, int) or isinstance(port, bool)):
            raise ActionError(f"port {port!r}: a listener's port")
        headers = [header] if header.strip() else []
        try:
            plane.url(path, port)  # the path and the listener, checked before anything is sent
        except DataPlaneError as exc:
            raise ActionError(str(exc)) from None
        answers: list[dict[str, Any]] = []
        for _ in range(count):
            try:
                result = plane.curl(path, method, host, headers, port)
            except DataPlaneError as exc:
                if not answers and _is_input_error(exc):
                    raise ActionError(str(exc)) from None
                answers.append({"status": 0, "instance": "", "error": _first_line(exc)})
                continue
            answers.append({"status": result.status, "instance": result.field("instance") or ""})
        return {"answers": answers}

    def fail(self, body: dict[str, Any]) -> dict[str, Any]:
        plane = self._plane()
        owner = self._owner(plane, body.get("target"))
        mode = body.get("mode") or ("dead" if self.lab_dir else "unhealthy")
        if mode not in FAIL_MODES:
            raise ActionError(f"mode {mode!r}: one of {', '.join(FAIL_MODES)}")
        plane.fail(owner, mode)
        return {"target": owner, "mode": mode}

    def heal(self, body: dict[str, Any]) -> dict[str, Any]:
        plane = self._plane()
        owner = self._owner(plane, body.get("target"))
        plane.heal(owner)
        return {"target": owner}

    def reach(self, body: dict[str, Any]) -> dict[str, Any]:
        from alblab.dataplane import DataPlaneError

        plane = self._plane()
        owner = self._owner(plane, body.get("target"))
        port = body.get("port") or 80
        if not isinstance(port, int) or isinstance(port, bool) or not 1 <= port <= 65535:
            raise ActionError(f"port {port!r}: a TCP port (1-65535)")
        try:
            result = plane.probe(owner, port)
        except DataPlaneError as exc:
            raise ActionError(str(exc), status=503) from None
        return {"target": owner, "port": port, "result": result, "address": plane.address_of(owner)}


def _port(target: str) -> int | None:
    port = target.rsplit(":", 1)[-1]
    return int(port) if port.isdigit() else None


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def _is_input_error(exc: BaseException) -> bool:
    """The plane refused the request before sending it (a header or method it would not pass on)."""
    text = str(exc)
    return text.startswith(("header ", "method "))


def _gone_soon(alive: Callable[[], bool], grace_s: float = EXIT_GRACE_S) -> bool:
    """True when ``alive`` turns false within ``grace_s``: a process that stopped answering because it is
    exiting, rather than one that is busy or unreachable."""
    deadline = time.monotonic() + grace_s
    while alive():
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.1)
    return True
