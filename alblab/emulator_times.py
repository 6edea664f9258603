"""The emulator's time per request, when tracing (``alblab.trace``): one JSON line per request with its
start, the seconds the whole server took (every layer in front of moto included) and the seconds moto itself
took, the AWS service and operation. benchmarks/check.py reads them to say how fast the emulator answers.

Two WSGI wrappers share one log: ``outer`` goes around everything, ``inner`` around moto alone.
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, TextIO
from urllib.parse import parse_qs

from alblab.strict.wsgi import read_body, whole

StartResponse = Callable[..., Any]
WsgiApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]

_SCOPE = re.compile(r"Credential=[^/]+/\d+/[^/]+/([^/]+)/")
_MOTO_SECONDS = "alblab.moto_seconds"


def describe(environ: dict[str, Any]) -> tuple[str, str]:
    """(service, operation) of a request: the signature's scope names the service; the operation is the
    JSON protocols' target header, the query protocols' Action, or the method and first path segment."""
    found = _SCOPE.search(str(environ.get("HTTP_AUTHORIZATION", "")))
    service = found.group(1) if found else ""
    target = str(environ.get("HTTP_X_AMZ_TARGET", ""))
    if target:
        return service, target.rsplit(".", 1)[-1]
    action = parse_qs(str(environ.get("QUERY_STRING", ""))).get("Action")
    if not action and "x-www-form-urlencoded" in str(environ.get("CONTENT_TYPE", "")):
        action = parse_qs(read_body(environ).decode(errors="replace")).get("Action")
    if action:
        return service, action[0]
    method = str(environ.get("REQUEST_METHOD", ""))
    first = str(environ.get("PATH_INFO", "")).strip("/").split("/", 1)[0]
    return service, f"{method} /{first}" if first else method


class RequestTimes:
    def __init__(self, log: Path) -> None:
        self._lock = threading.Lock()
        self._out: TextIO = log.open("a", buffering=1)

    def inner(self, app: WsgiApp) -> WsgiApp:
        def timed(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
            started = time.perf_counter()
            body = whole(app(environ, start_response))
            environ[_MOTO_SECONDS] = environ.get(_MOTO_SECONDS, 0.0) + time.perf_counter() - started
            return body

        return timed

    def outer(self, app: WsgiApp) -> WsgiApp:
        def timed(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
            at, started = time.time(), time.perf_counter()
            service, operation = describe(environ)
            status: list[str] = []

            def capture(code: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
                status.append(code.split(" ", 1)[0])
                return start_response(code, headers, exc_info) if exc_info else start_response(code, headers)

            body = whole(app(environ, capture))
            line = {
                "t": round(at, 6),
                "s": round(time.perf_counter() - started, 6),
                "moto_s": round(environ.get(_MOTO_SECONDS, 0.0), 6),
                "service": service,
                "op": operation,
                "status": status[0] if status else "",
            }
            with self._lock:
                self._out.write(json.dumps(line) + "\n")
            return body

        return timed
