"""The stand-in backend process: an app (identity page on any path, every header in order), health checks
told apart by ALB's health-checker User-Agent, and its failure modes."""

from __future__ import annotations

import secrets
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from alblab.dataplane import HttpResult, sandbox
from alblab.dataplane.netns import Netns
from alblab.dataplane.procs import ProcTable

# A namespace made on the host: root mode (the plane tests cover the stand-in in rootless mode too).
pytestmark = [
    pytest.mark.dataplane,
    pytest.mark.skipif(sandbox.problem("root") is not None, reason=str(sandbox.problem("root"))),
]
NET = Netns()


class Backend:
    def __init__(self, ns: str, control: Path) -> None:
        self.ns, self.control = ns, control

    def get(self, path: str, headers: list[str] = (), method: str = "GET") -> tuple[int, str]:  # type: ignore[assignment]
        """One request from inside the namespace (over its loopback: the backend has no SG)."""
        argv = ["curl", "-sS", "--max-time", "3", "-o", "-", "-w", "\n%{http_code}", "-X", method]
        for h in headers:
            argv += ["-H", h]
        proc = subprocess.run(
            NET.exec_argv(self.ns, [*argv, f"http://127.0.0.1:8080{path}"]), capture_output=True, text=True
        )
        if proc.returncode != 0:
            return 0, proc.stderr
        body, _, code = proc.stdout.rpartition("\n")
        return int(code), body.strip()

    def mode(self, mode: str) -> None:
        self.control.write_text(mode + "\n")
        time.sleep(0.3)  # the control loop polls every 50 ms


@pytest.fixture
def backend(tmp_path: Path) -> Iterator[Backend]:
    ns = f"albe{secrets.token_hex(2)}"
    NET.add([ns])
    NET.batch(["link set lo up"], ns)
    table = ProcTable({}, NET.exec_argv, "test-backend", lambda: None)
    control, ready = tmp_path / "mode", tmp_path / "ready"
    argv = [sys.executable, "-m", "alblab.dataplane.backend", "--instance", "i-test", "--ip", "10.0.11.4",
            "--az", "us-east-1a", "--port", "8080", "--control", str(control),
            "--ready", str(ready)]  # fmt: skip
    try:
        proc = table.spawn("backend", ns, argv, tmp_path / "backend.log")
        deadline = time.monotonic() + 10
        while not ready.exists() and time.monotonic() < deadline:
            time.sleep(0.02)
        assert ready.exists(), (tmp_path / "backend.log").read_text()
        yield Backend(ns, control)
    finally:
        table.stop("backend")
        NET.delete(ns)
    assert not Path(f"/proc/{proc.pid}").exists() or "Z" in Path(f"/proc/{proc.pid}/status").read_text()


def test_body_names_instance_and_every_xff_line(backend: Backend) -> None:
    status, body = backend.get("/a/b?x=1", ["X-Forwarded-For: 203.0.113.9", "X-Forwarded-For: 198.51.100.7"])
    assert status == 200
    lines = body.splitlines()
    for expected in (
        "instance: i-test",
        "private-ip: 10.0.11.4",
        "az: us-east-1a",
        "port: 8080",
        "path: /a/b?x=1",
    ):
        assert expected in lines
    reply = HttpResult(status, "", [], body)
    assert reply.fields()["x-forwarded-for"] == ["203.0.113.9", "198.51.100.7"]


def test_every_header_in_order_on_any_path_and_method(backend: Backend) -> None:
    status, body = backend.get("/health", ["X-B: 2", "x-a: 1", "X-B: 3", "X-Empty;"], method="PURGE")
    assert status == 200
    reply = HttpResult(status, "", [], body + "\n")
    assert reply.field("method") == "PURGE" and reply.field("path") == "/health"
    assert reply.field("version") == "HTTP/1.1"
    names = [name for name, _ in reply.request_headers()]
    assert names == ["Host", "User-Agent", "Accept", "X-B", "x-a", "X-B", "X-Empty"]
    assert reply.request_header("x-b") == ["2", "3"] and reply.request_header("X-EMPTY") == [""]
    assert reply.field("headers") == "7"


CHECKER = "User-Agent: ELB-HealthChecker/2.0"  # target-group-health-checks / troubleshooting pages


def test_health_checks_told_by_user_agent_not_by_path(backend: Backend) -> None:
    """https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-troubleshooting.html
    (health check requests: ``User-Agent: ELB-HealthChecker/2.0``)."""
    for path in ("/", "/health", "/anything"):
        assert backend.get(path, [CHECKER]) == (200, "ok")
        status, body = backend.get(path)
        assert status == 200 and "instance: i-test" in body


def test_modes_unhealthy_slow_dead_and_back(backend: Backend) -> None:
    assert backend.get("/", [CHECKER]) == (200, "ok")
    backend.mode("unhealthy")
    assert backend.get("/", [CHECKER])[0] == 503
    assert backend.get("/")[0] == 200  # the app still answers, only the health check fails
    assert backend.get("/health")[0] == 200
    backend.mode("slow:400")
    t0 = time.monotonic()
    assert backend.get("/")[0] == 200
    assert time.monotonic() - t0 >= 0.4
    backend.mode("dead")
    status, err = backend.get("/")
    assert status == 0 and ("refused" in err.lower() or "Failed to connect" in err), err
    backend.mode("healthy")
    assert backend.get("/", [CHECKER]) == (200, "ok")
