"""The strict layer: WSGI middleware in front of moto that refuses what AWS refuses.

Every ELBv2, EC2 and WAFv2 request is parsed into its operation's input shape; ELBv2 requests are checked
against the API model's constraints, EC2 requests for their required parameters, and every request against
the rules in ``alblab.strict.rules``. A refused request is answered with AWS's error (code, message, the
protocol's error body) and never reaches moto, so the emulator's state is what it was. Checks and moto's
work on a mutating call run under one lock: no other mutation can slip in between the check and the write.
"""

from __future__ import annotations

import io
import sys
import threading
import time
import traceback
import uuid
from collections.abc import Callable, Iterable
from typing import Any

from alblab.strict import rules as _rules  # noqa: F401  (importing it registers every rule)
from alblab.strict import shapes, ssl_policies
from alblab.strict.refusal import Answer, Refusal, render
from alblab.strict.registry import rules_for
from alblab.strict.request import ApiCall, Target, parse, target_of
from alblab.strict.world import World

StartResponse = Callable[..., Any]
WsgiApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]


class StrictLayer:
    def __init__(self, app: WsgiApp, log: Callable[[str], None] | None = None) -> None:
        self.app = app
        self.log = log or (lambda line: print(line, file=sys.stderr, flush=True))
        self.refused = 0
        # Requests parsed and checked, and the seconds that took (benchmarks/strict.py reads the summary).
        self.checked = 0
        self.seconds = 0.0
        self._writes = threading.Lock()

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        target = target_of(environ)
        if target is None:
            return self.app(environ, start_response)
        started = time.perf_counter()
        body = _read_body(environ)
        try:
            call = parse(target, environ, body)
        except Refusal as refusal:
            return self._refuse(refusal, target.protocol, "request", start_response)
        except Exception as exc:  # a request our parsing does not know: moto answers it as before
            self.log(f"alblab-emulator: strict layer could not parse a {target.service} request ({exc!r})")
            call = None
        finally:
            self._account(started)
        if call is None:
            return self.app(environ, start_response)
        if call.service == "elbv2" and call.operation == "DescribeSSLPolicies" and _ours(call):
            return self._describe_ssl_policies(call, start_response)
        if not call.mutating:
            refusal = self._check(call)
            if refusal is not None:
                return self._refuse(refusal, call.protocol, call.operation, start_response)
            return self.app(environ, start_response)
        with self._writes:
            refusal = self._check(call)
            if refusal is not None:
                return self._refuse(refusal, call.protocol, call.operation, start_response)
            result = self.app(environ, start_response)
            try:
                return [b"".join(result)]
            finally:
                close = getattr(result, "close", None)
                if close is not None:
                    close()

    def _check(self, call: ApiCall) -> Refusal | None:
        started = time.perf_counter()
        try:
            check(call)
        except Refusal as refusal:
            return refusal
        except Exception:
            # A fault of a rule must not take valid requests down with it: say so loudly, let moto answer.
            self.log(f"alblab-emulator: strict check of {call.operation} failed; passed to moto unchecked:")
            self.log(traceback.format_exc().rstrip())
        finally:
            self._account(started)
        return None

    def _account(self, started: float) -> None:
        self.checked += 1
        self.seconds += time.perf_counter() - started

    def summary(self) -> str:
        return (
            f"alblab-emulator: strict layer: {self.checked} parse/check steps took {self.seconds:.3f} s, "
            f"{self.refused} requests refused"
        )

    def _refuse(
        self, refusal: Refusal, protocol: str, operation: str, start_response: StartResponse
    ) -> list[bytes]:
        self.refused += 1
        self.log(f"alblab-emulator: refused {operation}: {refusal}")
        answer = render(refusal, protocol)
        start_response(answer.status, answer.headers)
        return [answer.body]

    def _describe_ssl_policies(self, call: ApiCall, start_response: StartResponse) -> list[bytes]:
        request_id = str(uuid.uuid4())
        try:
            body = ssl_policies.describe(call.params, request_id)
        except Refusal as refusal:
            return self._refuse(refusal, call.protocol, call.operation, start_response)
        answer = Answer("200 OK", [("Content-Type", "text/xml"), ("x-amzn-RequestId", request_id)], body)
        start_response(answer.status, [*answer.headers, ("Content-Length", str(len(body)))])
        return [answer.body]


def _ours(call: ApiCall) -> bool:
    """DescribeSSLPolicies for application load balancers (or any type) is answered from our list."""
    return call.params.get("LoadBalancerType", "application") == "application"


def check(call: ApiCall) -> None:
    """Raise the ``Refusal`` AWS would answer ``call`` with; return when AWS would accept it."""
    if call.service == "elbv2":
        shapes.check(call.model.input_shape, call.params)
    elif call.service == "ec2":
        missing = shapes.missing_required(call.model.input_shape, call.params)
        if missing is not None:
            raise Refusal("MissingParameter", f"The request must contain the parameter {missing}")
    world = World(call.account, call.region)
    for each in rules_for(call.service, call.operation):
        each.check(call, world)


def _read_body(environ: dict[str, Any]) -> bytes:
    """Read the request body and put it back for moto to read."""
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    stream = environ.get("wsgi.input")
    if stream is None:
        return b""
    body = (
        stream.read(length)
        if length > 0
        else (stream.read() if environ.get("wsgi.input_terminated") else b"")
    )
    environ["wsgi.input"] = io.BytesIO(body)
    environ["CONTENT_LENGTH"] = str(len(body))
    return body


def wrap(app: WsgiApp, mode: str) -> WsgiApp:
    """The application alblab serves in ``mode`` (see ``alblab.strict.mode``)."""
    return app if mode == "lenient" else StrictLayer(app)


__all__ = ["StrictLayer", "Target", "check", "wrap"]
