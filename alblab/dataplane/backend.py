"""Stand-in for the instances' user_data web app: one process per instance, one HTTP server per port.

Run inside the instance's namespace::

    python -m alblab.dataplane.backend --instance i-123 --ip 10.0.11.4 --az us-east-1a \\
        --port 80 --health /health --control RUN/i-123.mode --ready RUN/i-123.ready

Every answer is plain ``key: value`` lines (instance, private-ip, az, port, path, host, peer, one
``x-forwarded-for`` line per received header line, x-forwarded-proto, x-forwarded-port). A health-check
path answers ``ok``. The control file (no network: the SGs would block a control port) holds the mode:
``healthy`` | ``unhealthy`` (health paths answer 503, the app still answers) | ``slow:MS`` | ``dead``
(the process stops listening until the mode changes again). With ``--ports-file`` the ports and health
paths come from that file (JSON ``{"ports": [...], "health": [...]}``) and follow it while the process runs:
a new port opens, a dropped one stops taking connections (those open finish), so a change of the target
groups never restarts the app; the ready file then holds the text of the file last applied.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import socket
import socketserver
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

POLL_S = 0.05


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


def handler_class(
    identity: dict[str, str], health_paths: set[str], state: State
) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive, as the ALB uses towards targets
        disable_nagle_algorithm = True  # else ~40 ms per keep-alive request (delayed ACK)
        server_version = "alblab-standin"

        def log_message(self, format: str, *args: object) -> None:
            pass

        def _answer(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            if length:
                self.rfile.read(length)
            if state.delay_s:
                time.sleep(state.delay_s)
            path = self.path.split("?", 1)[0]
            if path in health_paths:
                status = 503 if state.mode == "unhealthy" else 200
                body = ("unhealthy" if status == 503 else "ok") + "\n"
            else:
                status = 200
                lines = [
                    *(f"{k}: {v}" for k, v in identity.items()),
                    f"port: {self.server.server_address[1]}",
                    f"method: {self.command}",
                    f"path: {self.path}",
                    f"host: {self.headers.get('Host', '')}",
                    f"peer: {self.client_address[0]}",
                    # Every header line, not just the first: a client-sent XFF arrives as a separate line.
                    *(f"x-forwarded-for: {v}" for v in self.headers.get_all("X-Forwarded-For") or []),
                    f"x-forwarded-proto: {self.headers.get('X-Forwarded-Proto', '')}",
                    f"x-forwarded-port: {self.headers.get('X-Forwarded-Port', '')}",
                ]
                body = "\n".join(lines) + "\n"
            data = body.encode()
            self.send_response(status)
            self.send_header("Content-Type", "text/plain")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(data)

        do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = do_OPTIONS = _answer

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


def read_ports_file(path: Path) -> tuple[str, list[int], set[str]]:
    """(its text, ports, health paths); a file being replaced is read on the next poll."""
    text = path.read_text()
    data = json.loads(text)
    return text, sorted({int(p) for p in data["ports"]}), set(data.get("health", []))


def serve(
    identity: dict[str, str],
    ports: list[int],
    health: set[str],
    control: Path | None,
    ready: Path | None,
    ports_file: Path | None = None,
) -> None:
    state = State(control)
    health = set(health)  # the handlers read this very set: updated in place when the ports file changes
    handler = handler_class(identity, health, state)
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
            text, new_ports, new_health = read_ports_file(ports_file)
        except (OSError, ValueError, KeyError):
            return False
        if text == applied:
            return False
        wanted, applied = new_ports, text
        health.clear()
        health.update(new_health)
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
    parser.add_argument("--ports-file", type=Path, help="ports and health paths to follow while running")
    parser.add_argument("--health", action="append", default=[])
    parser.add_argument("--control", type=Path)
    parser.add_argument("--ready", type=Path)
    args = parser.parse_args(argv)
    if not args.port and args.ports_file is None:
        parser.error("give --port (repeatable) or --ports-file")
    identity = {"instance": args.instance, "private-ip": args.ip, "az": args.az}
    serve(identity, sorted(set(args.port)), set(args.health), args.control, args.ready, args.ports_file)


if __name__ == "__main__":
    main()
