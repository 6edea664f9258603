"""The emulator's retry replay: an SDK retry of a call that already succeeded gets the first answer, so a
create is never carried out twice (moto would answer "already exists" / "in use" to the retry)."""

from __future__ import annotations

import io
import threading
import time
from collections.abc import Iterable
from typing import Any

from alblab.emulator_server import ATTEMPT_HEADER, INVOCATION_HEADER, RetryReplay


class CountingApp:
    """A WSGI app that creates one object per call and answers 409 when it exists (as moto does)."""

    def __init__(self, delay: float = 0.0, status: str = "200 OK") -> None:
        self.calls = 0
        self.delay = delay
        self.status = status
        self.created: set[str] = set()

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        self.calls += 1
        body = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
        time.sleep(self.delay)
        if body in self.created:
            start_response("409 Conflict", [("Content-Type", "text/plain")])
            return [b"AlreadyExists"]
        if self.status.startswith("2"):
            self.created.add(body)
        start_response(self.status, [("Content-Type", "text/plain")])
        return [b"created " + body]


def call(
    app: RetryReplay, invocation: str | None, attempt: int, body: bytes = b"rule-10"
) -> tuple[str, bytes]:
    environ: dict[str, Any] = {
        "wsgi.input": io.BytesIO(body),
        "CONTENT_LENGTH": str(len(body)),
        "PATH_INFO": "/",
        ATTEMPT_HEADER: f"attempt={attempt}; max=3",
    }
    if invocation:
        environ[INVOCATION_HEADER] = invocation
    status: list[str] = []

    def start_response(s: str, _headers: list[tuple[str, str]], _exc: Any = None) -> None:
        status.append(s)

    out = b"".join(app(environ, start_response))
    return status[0], out


def test_a_retry_after_success_gets_the_first_answer() -> None:
    inner = CountingApp()
    app = RetryReplay(inner, log=lambda _line: None)
    first = call(app, "inv-1", 1)
    retry = call(app, "inv-1", 2)
    assert first == retry == ("200 OK", b"created rule-10")
    assert inner.calls == 1
    assert app.replayed == 1


def test_without_the_replay_the_retry_fails_as_moto_does() -> None:
    inner = CountingApp()
    assert call(inner, "inv-1", 1)[0] == "200 OK"  # type: ignore[arg-type]
    assert call(inner, "inv-1", 2) == ("409 Conflict", b"AlreadyExists")  # type: ignore[arg-type]


def test_a_retry_while_the_first_attempt_runs_waits_for_it() -> None:
    inner = CountingApp(delay=0.3)
    app = RetryReplay(inner, log=lambda _line: None)
    answers: list[tuple[str, bytes]] = []
    first = threading.Thread(target=lambda: answers.append(call(app, "inv-2", 1)))
    first.start()
    time.sleep(0.05)
    retry = call(app, "inv-2", 2)
    first.join()
    assert retry == answers[0] == ("200 OK", b"created rule-10")
    assert inner.calls == 1


def test_a_retry_after_a_failed_answer_runs_again() -> None:
    inner = CountingApp(status="503 Service Unavailable")
    app = RetryReplay(inner, log=lambda _line: None)
    assert call(app, "inv-3", 1)[0].startswith("503")
    assert call(app, "inv-3", 2)[0].startswith("503")
    assert inner.calls == 2


def test_different_calls_and_calls_without_an_id_are_never_replayed() -> None:
    inner = CountingApp()
    app = RetryReplay(inner, log=lambda _line: None)
    assert call(app, "inv-4", 1, b"a")[0] == "200 OK"
    assert call(app, "inv-5", 1, b"b")[0] == "200 OK"
    assert call(app, None, 1, b"c")[0] == "200 OK"
    assert call(app, None, 2, b"c")[0].startswith("409")
    assert inner.calls == 4
