"""``python -m alblab.console HOME --stack KEY``: the console process that ``alblab console`` starts.

It reads its token from the state directory (never from its command line), listens, writes that it is
ready (PID and port) for the command that started it, and serves until SIGTERM (``alblab down``).
"""

from __future__ import annotations

import argparse
import signal
import sys
from pathlib import Path

from alblab import consoles
from alblab.console.live import Live
from alblab.console.server import ConsoleServer


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m alblab.console")
    parser.add_argument("home", type=Path)
    parser.add_argument("--stack", required=True)
    parser.add_argument("--lab-dir", type=Path)
    parser.add_argument("--bind", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args(argv)
    home = args.home.resolve()
    live = Live(home, args.stack, args.lab_dir.resolve() if args.lab_dir else None)
    try:
        server = ConsoleServer(args.bind, args.port, live, consoles.token(home))
    except OSError as exc:
        print(f"the console cannot listen on {args.bind}:{args.port}: {exc.strerror or exc}", file=sys.stderr)
        return 1

    def terminate(_signum: int, _frame: object) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, terminate)
    live.start()
    consoles.mark_ready(home, server.server_port)
    try:
        server.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        pass
    finally:
        live.stop()
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
