"""The console's HTTP server: the standard library's ``http.server``, server-sent events for the updates.

Every request needs the console's token (``?token=`` in the URL, or the ``X-Alblab-Token`` header); without
it the answer is 403 and one line. The page and its assets come from the package (no CDN: it works
offline). Routes:

    GET  /                the page              GET /api/state   everything the page shows, as JSON
    GET  /console.js|css  its assets            GET /api/events  server-sent events: state, health, requests
    GET  /api/words       English and Korean    POST /api/send|fail|heal|reach   the actions (JSON body)
"""

from __future__ import annotations

import hmac
import ipaddress
import json
import queue
import socket
import sys
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources
from typing import Any, Protocol
from urllib.parse import parse_qs, urlsplit

from alblab.console.live import ActionError
from alblab.console.words import page_words

TOKEN_HEADER = "X-Alblab-Token"
FORBIDDEN = "403 forbidden: this console needs its token (open the URL that 'alblab console' printed)\n"
KEEPALIVE_S = 15.0
MAX_BODY = 16 * 1024
ASSETS = {
    "/console.js": ("console.js", "text/javascript; charset=utf-8"),
    "/console.css": ("console.css", "text/css; charset=utf-8"),
}
ACTIONS = ("send", "fail", "heal", "reach")
SECURITY_HEADERS = {
    "Cache-Control": "no-store",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'",
}


class Source(Protocol):
    """What the server serves (``Live``; the tests give a stand-in)."""

    def snapshot(self) -> dict[str, Any]: ...
    def subscribe(self) -> Any: ...
    def unsubscribe(self, q: Any) -> None: ...
    def send(self, body: dict[str, Any]) -> dict[str, Any]: ...
    def fail(self, body: dict[str, Any]) -> dict[str, Any]: ...
    def heal(self, body: dict[str, Any]) -> dict[str, Any]: ...
    def reach(self, body: dict[str, Any]) -> dict[str, Any]: ...


def asset(name: str) -> bytes:
    return resources.files("alblab.console").joinpath("static", name).read_bytes()


class ConsoleServer(ThreadingHTTPServer):
    daemon_threads = True  # an open event stream must not keep the process alive at shutdown

    def __init__(self, bind: str, port: int, source: Source, token: str) -> None:
        self.address_family = socket.AF_INET6 if ipaddress.ip_address(bind).version == 6 else socket.AF_INET
        self.source = source
        self.token = token
        super().__init__((bind, port), Handler)


class Handler(BaseHTTPRequestHandler):
    server: ConsoleServer
    server_version = "alblab-console"
    sys_version = ""

    def log_message(self, format: str, *args: Any) -> None:
        # Never the query string: it holds the token.
        print(
            f"{self.command} {urlsplit(self.path).path} {args[1] if len(args) > 1 else ''}", file=sys.stderr
        )

    # --- answers -------------------------------------------------------------------------------------

    def _send(self, status: int, body: bytes, content_type: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for key, value in SECURITY_HEADERS.items():
            self.send_header(key, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _json(self, status: int, data: Any) -> None:
        self._send(status, json.dumps(data).encode(), "application/json")

    def _text(self, status: int, line: str) -> None:
        self._send(status, line.encode(), "text/plain; charset=utf-8")

    def _authorized(self) -> bool:
        given = self.headers.get(TOKEN_HEADER) or parse_qs(urlsplit(self.path).query).get("token", [""])[0]
        return hmac.compare_digest(given.encode(), self.server.token.encode())

    # --- routes --------------------------------------------------------------------------------------

    def do_GET(self) -> None:
        if not self._authorized():
            self._text(HTTPStatus.FORBIDDEN, FORBIDDEN)
            return
        path = urlsplit(self.path).path
        if path in ("/", "/index.html"):
            page = asset("index.html").decode().replace("{{TOKEN}}", self.server.token)
            self._send(HTTPStatus.OK, page.encode(), "text/html; charset=utf-8")
        elif path in ASSETS:
            name, content_type = ASSETS[path]
            self._send(HTTPStatus.OK, asset(name), content_type)
        elif path == "/api/state":
            self._json(HTTPStatus.OK, self.server.source.snapshot())
        elif path == "/api/words":
            self._json(HTTPStatus.OK, page_words())
        elif path == "/api/events":
            self._events()
        else:
            self._text(HTTPStatus.NOT_FOUND, f"404 not found: {path}\n")

    def do_POST(self) -> None:
        if not self._authorized():
            self._text(HTTPStatus.FORBIDDEN, FORBIDDEN)
            return
        path = urlsplit(self.path).path
        action = path.removeprefix("/api/")
        if not path.startswith("/api/") or action not in ACTIONS:
            self._text(HTTPStatus.NOT_FOUND, f"404 not found: {path}\n")
            return
        try:
            body = self._body()
            result = getattr(self.server.source, action)(body)
        except ActionError as exc:
            self._json(exc.status, {"error": str(exc)})
            return
        self._json(HTTPStatus.OK, result)

    def _body(self) -> dict[str, Any]:
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            raise ActionError("Content-Length is not a number") from None
        if length > MAX_BODY:
            raise ActionError(f"the request body is larger than {MAX_BODY} bytes")
        raw = self.rfile.read(length) if length else b"{}"
        try:
            body = json.loads(raw)
        except (ValueError, UnicodeDecodeError):
            raise ActionError("the request body is not JSON") from None
        if not isinstance(body, dict):
            raise ActionError("the request body must be a JSON object")
        return body

    def _events(self) -> None:
        """Server-sent events: the whole state first, then what changes; a comment line keeps it open. A
        browser that loses the stream reconnects by itself (``retry``) and gets the whole state again."""
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", "text/event-stream; charset=utf-8")
        for key, value in SECURITY_HEADERS.items():
            self.send_header(key, value)
        self.end_headers()
        source = self.server.source
        q = source.subscribe()
        try:
            self._event("state", source.snapshot(), retry=2000)
            while True:
                try:
                    name, data = q.get(timeout=KEEPALIVE_S)
                except queue.Empty:  # nothing happened
                    self.wfile.write(b": keepalive\n\n")
                    self.wfile.flush()
                    continue
                self._event(name, data)
        except OSError:  # the page went away (closed, reloaded, network): nothing to clean but the queue
            pass
        finally:
            source.unsubscribe(q)
            self.close_connection = True

    def _event(self, name: str, data: Any, retry: int | None = None) -> None:
        head = f"retry: {retry}\n" if retry else ""
        self.wfile.write(f"{head}event: {name}\ndata: {json.dumps(data)}\n\n".encode())
        self.wfile.flush()
