"""The lab daemon: keeps one ``LabEngine`` (emulator, namespaces, HAProxy) alive between CLI commands.

Protocol on a Unix socket in the lab dir: the client sends one JSON line ``{"op": ..., "args": {...}}``;
the daemon answers with JSON lines ``{"out": text}`` as the operation runs, then ``{"rc": n}``.
Operations run one at a time, in order: two terminals cannot apply over each other.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import signal
import socketserver
import sys
import traceback
from pathlib import Path
from typing import Any

from alblab.errors import AlblabError
from alblab.lab.engine import LabEngine

SOCKET_NAME = "lab.sock"
PID_NAME = "daemon.pid"
LOG_NAME = "daemon.log"


def _dispatch(engine: LabEngine, op: str, args: dict[str, Any], out: Any) -> int:
    if op == "start":
        return engine.start(out)
    if op == "next":
        return engine.next(out, apply=bool(args.get("apply", True)))
    if op == "apply":
        return engine.apply(out)
    if op == "check":
        return engine.check(out)
    if op == "show":
        return engine.show(out)
    if op == "curl":
        path, count = str(args.get("path", "/")), int(args.get("count", 1))
        return engine.curl(out, path, count, bool(args.get("view")))
    if op == "reach":
        return engine.reach(out)
    if op == "health":
        return engine.health(out)
    if op == "fail":
        return engine.fail(out, str(args["target"]))
    if op == "heal":
        return engine.heal(out, str(args["target"]))
    if op == "diagram":
        prefix = args.get("out")
        return engine.diagram(out, Path(prefix) if prefix else None)
    if op == "reset":
        return engine.reset(out)
    if op == "status":
        out(json.dumps(engine.status()))
        return 0
    if op == "stop":
        return engine.stop(out)
    out(f"unknown operation {op!r}")
    return 2


class _Handler(socketserver.StreamRequestHandler):
    server: _LabServer

    def handle(self) -> None:
        line = self.rfile.readline()
        if not line.strip():
            return  # a readiness probe (client.spawn_daemon) connects and hangs up without asking
        request = json.loads(line)
        op = request["op"]

        def out(text: str) -> None:
            self._send({"out": text})

        try:
            rc = _dispatch(self.server.engine, op, request.get("args", {}), out)
        except known_errors() as error:
            # Something the participant can fix (a typo in their .tf, a missing tool): the lab keeps running.
            out(str(error.args[0]) if error.args else str(error))
            detail = getattr(error, "detail", "")
            if detail:
                out(detail.rstrip())
            rc = int(getattr(error, "exit_code", 1))
        except Exception as error:  # a bug: one line here, the traceback in the daemon's log
            traceback.print_exc()
            out(f"unexpected {type(error).__name__}: {error} (details in {self.server.log_name})")
            rc = 2
        self._send({"rc": rc})
        if op == "stop":
            self.server.stopping = True

    def _send(self, message: dict[str, Any]) -> None:
        # The participant may have pressed Ctrl-C and left: the operation still finishes.
        with contextlib.suppress(OSError):
            self.wfile.write((json.dumps(message) + "\n").encode())
            self.wfile.flush()


def known_errors() -> tuple[type[BaseException], ...]:
    from alblab.dataplane import DataPlaneError

    return (AlblabError, DataPlaneError)


class _LabServer(socketserver.UnixStreamServer):
    def __init__(self, path: Path, engine: LabEngine) -> None:
        super().__init__(str(path), _Handler)
        self.engine = engine
        self.stopping = False
        self.log_name = str(path.parent / LOG_NAME)


def serve(lab_dir: Path, name: str) -> None:
    lab_dir.mkdir(parents=True, exist_ok=True)
    sock = lab_dir / SOCKET_NAME
    sock.unlink(missing_ok=True)
    engine = LabEngine(lab_dir, name)
    server = _LabServer(sock, engine)
    (lab_dir / PID_NAME).write_text(f"{os.getpid()}\n")

    def terminate(_signum: int, _frame: object) -> None:
        server.stopping = True
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, terminate)
    try:
        while not server.stopping:
            server.handle_request()
    except KeyboardInterrupt:
        pass
    finally:
        # Never leave namespaces, HAProxy or the emulator behind, whatever ended the daemon.
        engine.stop(lambda line: print(line, file=sys.stderr))
        server.server_close()
        sock.unlink(missing_ok=True)
        (lab_dir / PID_NAME).unlink(missing_ok=True)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m alblab.lab.daemon")
    parser.add_argument("lab_dir", type=Path)
    parser.add_argument("--name", default="lab")
    args = parser.parse_args(argv)
    serve(args.lab_dir.resolve(), args.name)


if __name__ == "__main__":
    main()
