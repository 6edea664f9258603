"""The moto server alblab runs, with one fix in front: an SDK retry of a request that already succeeded
gets the first answer again instead of being executed twice.

Why: on a busy machine moto can be slow enough that the AWS SDK inside the Terraform provider gives up on a
connection and retries a create (or delete) that the first attempt is still carrying out. The retry then
meets the object the first attempt made and fails with "already exists" / "in use" / "not found"
(seen: ``PriorityInUse`` from CreateRule, ``RouteAlreadyExists`` from CreateRoute, ``TargetGroupNotFound``
from DeleteTargetGroup). Every AWS SDK sends the same ``amz-sdk-invocation-id`` header on each attempt of one
call, so attempts are recognisable whatever the operation: a later attempt waits for the first and, when that
one succeeded, replays its answer — what an idempotent API does on real AWS. Attempts after a failed answer
run again, as they would on AWS.

In front of moto sits the strict layer (``alblab.strict``): requests AWS would refuse are refused with AWS's
error, unless ``ALBLAB_EMULATOR=lenient`` (or ``--lenient``) asks for plain moto. In front of both, the
accounts layer (``alblab.accounts``) serves a request signed with a stack's key from that stack's emulated
account, so the strict layer and moto both see the stack's account.

    python -m alblab.emulator_server --port PORT [--lenient]
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from alblab.accounts import AccountFromKey

INVOCATION_HEADER = "HTTP_AMZ_SDK_INVOCATION_ID"
ATTEMPT_HEADER = "HTTP_AMZ_SDK_REQUEST"
# Invocations remembered for replay; an SDK retries within seconds, so the newest few thousand suffice.
MAX_REMEMBERED = 4096
# How long a retry waits for the first attempt of its call to finish.
FIRST_ATTEMPT_WAIT_S = 300.0

StartResponse = Callable[..., Any]
WsgiApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]


@dataclass
class _Answer:
    status: str
    headers: list[tuple[str, str]]
    body: bytes


@dataclass
class _Invocation:
    done: threading.Event = field(default_factory=threading.Event)
    answer: _Answer | None = None  # set only when the first attempt succeeded (2xx)


class RetryReplay:
    """WSGI middleware: attempts of one SDK call (same invocation id) run at most once successfully."""

    def __init__(self, app: WsgiApp, log: Callable[[str], None] | None = None) -> None:
        self.app = app
        self.log = log or (lambda line: print(line, file=sys.stderr, flush=True))
        self.replayed = 0
        self._lock = threading.Lock()
        self._calls: OrderedDict[str, _Invocation] = OrderedDict()

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        key = environ.get(INVOCATION_HEADER)
        if not key:
            return self.app(environ, start_response)
        with self._lock:
            call = self._calls.get(key)
            first = call is None
            if call is None:
                call = self._calls[key] = _Invocation()
                while len(self._calls) > MAX_REMEMBERED:
                    self._calls.popitem(last=False)
        if not first:
            call.done.wait(FIRST_ATTEMPT_WAIT_S)
            if call.answer is not None:
                _drain(environ)
                self.replayed += 1
                self.log(
                    f"alblab-emulator: replayed the first answer to a retry "
                    f"({environ.get(ATTEMPT_HEADER, 'attempt ?')}, {environ.get('PATH_INFO', '')})"
                )
                start_response(call.answer.status, call.answer.headers)
                return [call.answer.body]
            # The first attempt failed: this one runs, as a retry would on AWS.
        return self._run(call if first else None, environ, start_response)

    def _run(
        self, call: _Invocation | None, environ: dict[str, Any], start_response: StartResponse
    ) -> Iterable[bytes]:
        captured: dict[str, Any] = {}

        def capture(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            captured["status"], captured["headers"] = status, list(headers)
            return start_response(status, headers, exc_info) if exc_info else start_response(status, headers)

        try:
            result = self.app(environ, capture)
            try:
                body = b"".join(result)
            finally:
                close = getattr(result, "close", None)
                if close is not None:
                    close()
            if call is not None and str(captured.get("status", "")).startswith("2"):
                call.answer = _Answer(captured["status"], captured["headers"], body)
            return [body]
        finally:
            if call is not None:
                call.done.set()


def _drain(environ: dict[str, Any]) -> None:
    """Read a replayed request's body, so a kept-alive connection stays in step."""
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    if length > 0:
        environ["wsgi.input"].read(length)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m alblab.emulator_server")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--lenient", action="store_true", help="plain moto: no strict layer (for debugging)")
    args = parser.parse_args(argv)
    from alblab.strict.mode import ModeError, emulator_mode

    try:
        mode = "lenient" if args.lenient else emulator_mode()
    except ModeError as exc:
        parser.error(str(exc))
    # moto builds some URLs (S3, SQS) from this, as its own server entry point does.
    os.environ.setdefault("MOTO_PORT", str(args.port))

    # Imported here: moto takes a second to import and the module's pure parts are unit-tested without it.
    from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app
    from werkzeug.serving import run_simple

    from alblab.emulator_times import RequestTimes
    from alblab.strict.wsgi import StrictLayer, wrap
    from alblab.trace import trace_path

    def stop(_signum: int, _frame: object) -> None:
        raise _Stop(0)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    app = DomainDispatcherApplication(create_backend_app)
    traced = trace_path(f"emulator-{args.port}", "jsonl")
    times = RequestTimes(traced) if traced is not None else None
    if times is not None:
        app = times.inner(app)
    strict = wrap(app, mode)
    # Outside in: RetryReplay, accounts, strict, moto. The strict layer reads moto's state in the account moto
    # will use, which it takes from the x-moto-account-id header the accounts layer sets.
    keyed = AccountFromKey(strict)  # a stack's access key names its account (alblab.accounts)
    served: WsgiApp = RetryReplay(keyed)
    if times is not None:
        served = times.outer(served)
    print(f"alblab-emulator: serving {mode} on {args.host}:{args.port}", file=sys.stderr, flush=True)
    try:
        run_simple(args.host, args.port, served, threaded=True)
    except _Stop:
        pass
    finally:
        if isinstance(strict, StrictLayer):
            print(strict.summary(), file=sys.stderr, flush=True)
    # Asked to stop: nothing of the emulator outlives it, so the interpreter's clean-up of moto's objects
    # (seconds once EC2's backend exists, the longer the more loaded the machine) is skipped.
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)


class _Stop(SystemExit):
    """SIGTERM or SIGINT: the server stops (a SystemExit: before it serves, it just exits)."""


if __name__ == "__main__":
    main()
