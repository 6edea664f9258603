"""A bounded request loop from the client namespace: what live traffic meets while something changes.

``RequestLoop(plane, requests).start()`` runs ``python -m alblab.dataplane.loop SPEC OUT`` in the client
namespace; it sends the requests in turn, one new connection each (as new clients would), at most every
``interval`` seconds, and writes one line per attempt: when, which request, the status or why there was none.
It stops when told to (a stop file), after ``max_seconds`` or ``max_requests``, whichever comes first, so a
loop whose caller died ends by itself; it carries the plane's marker, so tearing the plane down stops it too.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import socket
import ssl
import subprocess
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from alblab.dataplane.plane import DataPlane

REPO_ROOT = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class LoopRequest:
    """One request of the loop, to the ALB's name on listener ``port``."""

    port: int
    method: str = "GET"
    path: str = "/"
    host: str = ""  # Host header (and TLS server name); "" = the ALB's DNS name
    headers: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Attempt:
    """One request as it went: ``t`` (seconds since the epoch, when it was sent), the index of its request,
    the status (0 when none came) and, without a status, why (refused, timed out, reset, ...)."""

    t: float
    index: int
    status: int
    error: str = ""


class RequestLoop:
    def __init__(
        self,
        plane: DataPlane,
        requests: list[LoopRequest],
        interval: float = 0.05,
        timeout: float = 3.0,
        max_seconds: float = 1800.0,
        max_requests: int = 40_000,
    ) -> None:
        if not requests:
            raise ValueError("a request loop needs at least one request")
        self.plane = plane
        self.requests = list(requests)
        stack = plane.stack
        self._spec = {
            "dns_name": stack.load_balancer.dns_name,
            "requests": [
                {**asdict(r), "tls": stack.listener(r.port).protocol == "HTTPS"} for r in self.requests
            ],
            "interval": interval,
            "timeout": timeout,
            "max_seconds": max_seconds,
            "max_requests": max_requests,
        }
        self._dir = plane.run_dir / "loop"
        self._proc: subprocess.Popen[bytes] | None = None

    @property
    def out(self) -> Path:
        return self._dir / "attempts.jsonl"

    @property
    def _stop_file(self) -> Path:
        return self._dir / "stop"

    def start(self) -> RequestLoop:
        self._dir.mkdir(parents=True, exist_ok=True)
        for stale in (self.out, self._stop_file):
            stale.unlink(missing_ok=True)
        spec = self._dir / "spec.json"
        spec.write_text(json.dumps({**self._spec, "stop_file": str(self._stop_file)}))
        argv = [sys.executable, "-m", "alblab.dataplane.loop", str(spec), str(self.out)]
        env = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
        self._proc = self.plane.client_process(argv, self._dir / "loop.log", env)
        return self

    def attempts(self) -> list[Attempt]:
        """What the loop wrote so far (it may still run)."""
        return read_attempts(self.out)

    def stop(self, timeout: float = 15.0) -> list[Attempt]:
        """Tell the loop to stop, wait for it (then stop it by PID), and return every attempt."""
        if self._proc is not None:
            self._stop_file.touch()
            try:
                self._proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self._proc.kill()
                self._proc.wait(timeout=5)
            self._proc = None
        return self.attempts()


def read_attempts(path: Path) -> list[Attempt]:
    out = []
    try:
        lines = path.read_text().splitlines()
    except FileNotFoundError:
        return []
    for line in lines:
        try:
            raw = json.loads(line)
        except json.JSONDecodeError:
            continue  # the last line of a loop stopped mid-write
        out.append(Attempt(float(raw["t"]), int(raw["i"]), int(raw["s"]), str(raw.get("e", ""))))
    return out


# --- the program that runs in the client namespace -------------------------------------------------------


def _tls_context() -> ssl.SSLContext:
    # Certificates here are self-signed: what matters is that a TLS session comes up, not whom it proves.
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    return context


def _reason(exc: BaseException) -> str:
    if isinstance(exc, ConnectionRefusedError):
        return "connection refused"
    if isinstance(exc, TimeoutError):
        return "timed out"
    if isinstance(exc, ConnectionResetError):
        return "connection reset"
    if isinstance(exc, ssl.SSLError):
        return f"TLS: {exc.reason or exc}"
    if isinstance(exc, http.client.RemoteDisconnected | http.client.IncompleteRead):
        return "closed without an answer"
    return f"{type(exc).__name__}: {exc}"


class _TlsConnection(http.client.HTTPConnection):
    """HTTPS to a node by address, presenting the listener's name (SNI) as a browser would."""

    def __init__(self, address: str, port: int, timeout: float, context: ssl.SSLContext, name: str) -> None:
        super().__init__(address, port, timeout=timeout)
        self._tls, self._name = context, name

    def connect(self) -> None:
        super().connect()
        self.sock = self._tls.wrap_socket(self.sock, server_hostname=self._name)


def _send(spec: dict, request: dict, address: str, context: ssl.SSLContext) -> int:  # type: ignore[type-arg]
    host = request["host"] or spec["dns_name"]
    timeout = float(spec["timeout"])
    conn = (
        _TlsConnection(address, request["port"], timeout, context, host)
        if request["tls"]
        else http.client.HTTPConnection(address, request["port"], timeout=timeout)
    )
    try:
        conn.putrequest(request["method"], request["path"], skip_host=True, skip_accept_encoding=True)
        conn.putheader("Host", host)
        for name, value in request["headers"]:
            conn.putheader(name, value)
        conn.putheader("Connection", "close")
        conn.endheaders()
        reply = conn.getresponse()
        reply.read()
        return int(reply.status)
    finally:
        conn.close()


def run(spec: dict, out: Path) -> None:  # type: ignore[type-arg]
    context = _tls_context()
    stop_file = Path(spec["stop_file"])
    requests = spec["requests"]
    deadline = time.monotonic() + float(spec["max_seconds"])
    interval = float(spec["interval"])
    with out.open("a") as sink:
        for n in range(int(spec["max_requests"])):
            if time.monotonic() > deadline or stop_file.exists():
                break
            started = time.monotonic()
            index = n % len(requests)
            request = requests[index]
            t = time.time()
            status, error = 0, ""
            try:
                # The name is looked up per request: the hosts file lists every ALB node, taken in turn.
                addresses = sorted({a[4][0] for a in socket.getaddrinfo(spec["dns_name"], request["port"])})
                status = _send(spec, request, addresses[n % len(addresses)], context)
            except Exception as exc:  # every failure is a finding, written down, never a crash
                error = _reason(exc)
            sink.write(json.dumps({"t": round(t, 4), "i": index, "s": status, "e": error}) + "\n")
            sink.flush()
            time.sleep(max(0.0, interval - (time.monotonic() - started)))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("spec", type=Path)
    parser.add_argument("out", type=Path)
    args = parser.parse_args(argv)
    run(json.loads(args.spec.read_text()), args.out)


if __name__ == "__main__":
    main()
