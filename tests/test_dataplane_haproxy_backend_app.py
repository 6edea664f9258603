"""Stand-in target for the HAProxy tests (run as a script; pytest finds no tests here).

argv: NAME IP PORT CONTROL_FILE. GET /health answers the status written in CONTROL_FILE (read on every
check, so a test can fail and heal the target); every other request answers JSON describing what arrived.
"""

from __future__ import annotations

import json
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit


def make_handler(name: str, control: Path) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True  # else Nagle + delayed ACK cost ~40 ms per keep-alive request

        def _answer(self) -> None:
            url = urlsplit(self.path)
            if url.path == "/health":
                status = int(control.read_text() or "200")
                body = b"health\n"
                headers: list[tuple[str, str]] = []
            else:
                status = 200
                body = json.dumps(
                    {
                        "name": name,
                        "method": self.command,
                        "path": self.path,
                        "peer": self.client_address[0],
                        "xff": self.headers.get_all("X-Forwarded-For") or [],
                        "headers": [[k.lower(), v] for k, v in self.headers.items()],
                    }
                ).encode()
                headers = [
                    ("Set-Cookie", f"{k}={v[0]}") for k, v in parse_qs(url.query).items() if k == "APPSESSION"
                ]
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            for key, value in headers:
                self.send_header(key, value)
            self.end_headers()
            self.wfile.write(body)

        do_GET = do_POST = do_PUT = do_DELETE = _answer

        def log_message(self, format: str, *args: object) -> None:
            pass

    return Handler


def main() -> None:
    name, ip, port, control = sys.argv[1], sys.argv[2], int(sys.argv[3]), Path(sys.argv[4])
    ThreadingHTTPServer.daemon_threads = True
    ThreadingHTTPServer.request_queue_size = 256
    ThreadingHTTPServer((ip, port), make_handler(name, control)).serve_forever()


if __name__ == "__main__":
    main()
