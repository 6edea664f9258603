"""Stand-in for the instances' user_data web app: one process per instance, one HTTP server per port.

Run inside the instance's namespace::

    python -m alblab.dataplane.backend --instance i-123 --ip 10.0.11.4 --az us-east-1a \\
        --port 80 --control RUN/i-123.mode --ready RUN/i-123.ready

It is an app, not a health endpoint: a request from the ALB's health checker (told apart by the
``User-Agent: ELB-HealthChecker/2.0`` that ALB's checks send, whatever the path) gets ``ok``; every other
request, to any path and with any method, gets the identity page, one ``key: value`` per line::

    instance: i-123
    private-ip: 10.0.11.4
    az: us-east-1a
    port: 80
    method: GET
    path: /cart?id=1          (the request target as received)
    version: HTTP/1.1
    peer: 10.0.1.250          (the TCP peer: an ALB node)
    headers: 7                (how many lines follow)
    host: shop.example.com    (every request header as received, in order, names as sent)
    ...

The control file (no network: the SGs would block a control port) holds the mode: ``healthy`` |
``unhealthy`` (health checks answer 503; the app keeps answering clients, as an app with a failing
dependency does) | ``slow:MS`` | ``dead`` (the process stops listening until the mode changes again).
With ``--ports-file`` the ports come from that file (JSON ``{"ports": [...]}``) and follow it while the
process runs: a new port opens, a dropped one stops taking connections (those open finish), so a change of
the target groups never restarts the app; the ready file then holds the text of the file last applied.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import socket
import socketserver
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from alblab.dataplane.documented import HEALTH_CHECK_USER_AGENT

POLL_S = 0.05
# http.server refuses more than 100 header lines (431); ALB documents no count, only 64 K of headers.
http.client._MAXHEADERS = 1000  # type: ignore[attr-defined]


class State:
    def __init__(self, control: Path | None) -> None:
        self.control = control
        self.mode = "healthy"

    def refresh(self) -> str:
        if self.control is not None:
            try:
                self.mode = self.control.read_text().strip() or "healthy"
            except FileNotFoundError:
                self.mode = "healthy"
        return self.mode

    @property
    def delay_s(self) -> float:
        if self.mode.startswith("slow:"):
            with contextlib.suppress(ValueError):
                return max(0, int(self.mode.split(":", 1)[1])) / 1000
        return 0.0


def identity_page(
    identity: dict[str, str],
    port: int,
    method: str,
    target: str,
    version: str,
    peer: str,
    headers: list[tuple[str, str]],
) -> str:
    lines = [
        *(f"{k}: {v}" for k, v in identity.items()),
        f"port: {port}",
        f"method: {method}",
        f"path: {target}",
        f"version: {version}",
        f"peer: {peer}",
        f"headers: {len(headers)}",
        *(f"{name}: {value}" for name, value in headers),
    ]
    return "\n".join(lines) + "\n"


def handler_class(identity: dict[str, str], state: State) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive, as the ALB uses towards targets
        disable_nagle_algorithm = True  # else ~40 ms per keep-alive request (delayed ACK)
        server_version = "alblab-standin"

        def log_message(self, format: str, *args: object) -> None:
            pass

        def __getattr__(self, name: str) -> object:
            # An app answers every method (http.server would say 501 to any it has no do_X for).
            if name.startswith("do_"):
                return self._answer
            raise AttributeError(name)

        def _read_body(self) -> None:
            """Consume the body, so that the next request on this keep-alive connection parses."""
            if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
                while True:
                    size = int(self.rfile.readline().split(b";", 1)[0].strip() or b"0", 16)
                    if size == 0:
                        while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                            pass  # trailers
                        return
                    self.rfile.read(size + 2)  # the chunk and its CRLF
            length = int(self.headers.get("Content-Length") or 0)
            if length:
                self.rfile.read(length)

        def _answer(self) -> None:
            self._read_body()
            if state.delay_s:
                time.sleep(state.delay_s)
            if self.headers.get("User-Agent") == HEALTH_CHECK_USER_AGENT:
                status = 503 if state.mode == "unhealthy" else 200
                body = ("unhealthy" if status == 503 else "ok") + "\n"
            else:
                status = 200
                body = identity_page(
                    identity,
                    self.server.server_address[1],
                    self.command,
                    self.path,
                    self.request_version,
                    self.client_address[0],
                    list(self.headers.items()),
                )
            # Header bytes arrive decoded as latin-1; UTF-8 carries any of them through curl's text output.
            data = body.encode()
            self.send_response(status)
            self.send_header("Content-Type", "text/plain; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(data)

    return Handler


class Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 1024

    def __init__(self, address: tuple[str, int], handler: type[BaseHTTPRequestHandler]) -> None:
        self.active: set[socket.socket] = set()
        self.active_lock = threading.Lock()
        super().__init__(address, handler)

    def process_request_thread(self, request: socket.socket, client_address: object) -> None:  # type: ignore[override]
        with self.active_lock:
            self.active.add(request)
        try:
            super().process_request_thread(request, client_address)  # type: ignore[arg-type]
        finally:
            with self.active_lock:
                self.active.discard(request)

    def kill_connections(self) -> None:
        """A dead instance also drops its open keep-alive connections, not only its listening socket."""
        with self.active_lock:
            for conn in list(self.active):
                with contextlib.suppress(OSError):
                    conn.shutdown(socket.SHUT_RDWR)

    def server_bind(self) -> None:
        # HTTPServer.server_bind calls socket.getfqdn(), a DNS lookup that times out (~5 s) in a
        # namespace with no resolver; the name is only used for SERVER_NAME, which nothing here reads.
        socketserver.TCPServer.server_bind(self)
        self.server_name, self.server_port = str(self.server_address[0]), int(self.server_address[1])


def read_ports_file(path: Path) -> tuple[str, list[int]]:
    """(its text, ports); a file being replaced is read on the next poll."""
    text = path.read_text()
    data = json.loads(text)
    return text, sorted({int(p) for p in data["ports"]})


def serve(
    identity: dict[str, str],
    ports: list[int],
    control: Path | None,
    ready: Path | None,
    ports_file: Path | None = None,
) -> None:
    state = State(control)
    handler = handler_class(identity, state)
    servers: dict[int, Server] = {}
    wanted = list(ports)
    applied = ",".join(map(str, ports)) + "\n"

    def open_port(port: int) -> None:
        server = Server(("0.0.0.0", port), handler)
        servers[port] = server
        threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True).start()

    def close_port(port: int, drop_open: bool) -> None:
        server = servers.pop(port)
        server.shutdown()
        server.server_close()
        if drop_open:
            server.kill_connections()

    def follow_ports_file() -> bool:
        nonlocal wanted, applied
        assert ports_file is not None
        try:
            text, new_ports = read_ports_file(ports_file)
        except (OSError, ValueError, KeyError):
            return False
        if text == applied:
            return False
        wanted, applied = new_ports, text
        return True

    if ports_file is not None:
        follow_ports_file()
    state.refresh()
    if state.mode != "dead":
        for port in wanted:
            open_port(port)
    if ready is not None:
        ready.write_text(applied)
    while True:  # the control loop: the only thing the main thread does
        mode = state.refresh()
        if mode == "dead" and servers:
            for port in list(servers):
                close_port(port, drop_open=True)
        elif mode != "dead" and ports_file is not None and follow_ports_file():
            for port in [p for p in wanted if p not in servers]:
                open_port(port)
            for port in [p for p in servers if p not in wanted]:
                close_port(port, drop_open=False)  # requests already on it finish, as on a draining target
            if ready is not None:
                ready.write_text(applied)
        elif mode != "dead" and not servers:
            for port in wanted:
                open_port(port)
        time.sleep(POLL_S)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--instance", required=True)
    parser.add_argument("--ip", required=True)
    parser.add_argument("--az", default="")
    parser.add_argument("--port", type=int, action="append", default=[])
    parser.add_argument("--ports-file", type=Path, help="ports to follow while running")
    parser.add_argument("--control", type=Path)
    parser.add_argument("--ready", type=Path)
    args = parser.parse_args(argv)
    if not args.port and args.ports_file is None:
        parser.error("give --port (repeatable) or --ports-file")
    identity = {"instance": args.instance, "private-ip": args.ip, "az": args.az}
    serve(identity, sorted(set(args.port)), args.control, args.ready, args.ports_file)


if __name__ == "__main__":
    main()
