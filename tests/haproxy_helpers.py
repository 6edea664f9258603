"""Shared builders for the HAProxy renderer tests: hand-built Stacks, loopback backends, a running HAProxy.

Everything here binds to 127.0.0.0/8 only; every process started is killed by its PID.
"""

from __future__ import annotations

import http.client
import json
import os
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from alblab.dataplane.haproxy import NodeConfig, check_config, render, start_cmd
from alblab.dataplane.haproxy.runtime import wait_ready
from alblab.model import (
    Action,
    HealthCheck,
    Listener,
    LoadBalancer,
    Rule,
    Stack,
    Target,
    TargetGroup,
    WeightedTargetGroup,
)

BACKEND_SCRIPT = Path(__file__).with_name("test_dataplane_haproxy_backend_app.py")
# The pytestmark of the tests that start real HAProxy processes (on loopback): the data-plane lane, not the
# fast one.
REAL_HAPROXY = [
    pytest.mark.dataplane,
    pytest.mark.skipif(shutil.which("haproxy") is None, reason="haproxy not installed"),
]


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


def tg(
    name: str,
    targets: list[tuple[str, int]],
    *,
    health: HealthCheck | None = None,
    attributes: dict[str, str] | None = None,
    target_type: str = "ip",
    protocol: str = "HTTP",
) -> TargetGroup:
    return TargetGroup(
        arn=f"arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/{name}/0123456789abcdef",
        name=name,
        target_type=target_type,
        protocol=protocol,
        port=targets[0][1] if targets else 80,
        vpc_id="vpc-1",
        health_check=health or HealthCheck(path="/health", interval=1, timeout=1, healthy_threshold=2),
        attributes=attributes or {},
        targets=tuple(Target(id=ip, port=port) for ip, port in targets),
    )


def forward(*groups: TargetGroup, weights: tuple[int, ...] = (), sticky: int = 0) -> Action:
    weights = weights or tuple(1 for _ in groups)
    return Action(
        type="forward",
        target_groups=tuple(WeightedTargetGroup(g.arn, w) for g, w in zip(groups, weights, strict=True)),
        stickiness_enabled=sticky > 0,
        stickiness_duration=sticky,
    )


def stack(
    listeners: list[Listener], groups: list[TargetGroup], attributes: dict[str, str] | None = None
) -> Stack:
    lb = LoadBalancer(
        arn="arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/lab/1",
        name="lab",
        dns_name="lab.example.test",
        zone_id="Z1",
        internal=False,
        vpc_id="vpc-1",
        subnet_ids=("subnet-1", "subnet-2"),
        security_group_ids=("sg-1",),
        attributes=attributes or {},
        listeners=tuple(listeners),
    )
    return Stack(
        load_balancer=lb,
        target_groups={g.arn: g for g in groups},
        instances={},
        security_groups={},
        subnets={},
    )


def listener(port: int, default: Action, rules: list[Rule] | None = None, **kw: object) -> Listener:
    return Listener(
        arn=f"arn:listener/{port}",
        port=port,
        protocol=str(kw.pop("protocol", "HTTP")),
        default_action=default,
        rules=tuple(rules or ()),
        **kw,  # type: ignore[arg-type]
    )


# --- processes -----------------------------------------------------------------------------------


def _kill(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        os.kill(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait(timeout=5)


@dataclass
class Backend:
    """A loopback app server answering its own name; health answer switchable through a control file."""

    name: str
    ip: str
    port: int
    proc: subprocess.Popen[bytes]
    control: Path

    def set_health(self, status: int) -> None:
        tmp = self.control.with_suffix(".tmp")
        tmp.write_text(str(status))
        tmp.replace(self.control)


@contextmanager
def backends(tmp: Path, specs: list[tuple[str, str]]) -> Iterator[dict[str, Backend]]:
    """Start one app per (name, ip); yield them by name; kill them all (by PID) on exit."""
    started: dict[str, Backend] = {}
    try:
        for name, ip in specs:
            port = free_port(ip)
            control = tmp / f"{name}.health"
            control.write_text("200")
            proc = subprocess.Popen(
                [sys.executable, str(BACKEND_SCRIPT), name, ip, str(port), str(control)],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            started[name] = Backend(name, ip, port, proc, control)
        for b in started.values():
            _wait_port(b.ip, b.port, b.proc)
        yield started
    finally:
        for b in started.values():
            _kill(b.proc)


def _wait_port(
    ip: str, port: int, proc: subprocess.Popen[bytes] | None = None, timeout: float = 60.0
) -> None:
    """Poll until ``ip:port`` accepts; a process that exits first fails at once. The bound is generous: a
    Python app starting on a machine loaded far beyond its cores took more than 5 s (seen in CI-like runs)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"the app for {ip}:{port} exited with {proc.returncode} before listening")
        try:
            with socket.create_connection((ip, port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.02)
    raise TimeoutError(f"nothing listening on {ip}:{port}")


@dataclass
class RunningNode:
    node: NodeConfig
    proc: subprocess.Popen[bytes]

    def write(self, st: Stack) -> Path:
        text = render(st, self.node)
        self.node.cfg_path.write_text(text)
        check_config(self.node.cfg_path)
        return self.node.cfg_path


@contextmanager
def haproxy(tmp: Path, st: Stack, certs: dict[str, Path] | None = None) -> Iterator[RunningNode]:
    """HAProxy as an ALB node bound to 127.0.0.1, started with start_cmd, killed by PID on exit."""
    node = NodeConfig(bind_ips=("127.0.0.1",), run_dir=tmp, certs=certs or {}, connect_timeout_s=1.0)
    text = render(st, node)
    node.cfg_path.write_text(text)
    check_config(node.cfg_path)
    with open(tmp / "haproxy.log", "wb") as log:
        proc = subprocess.Popen(
            start_cmd(node.cfg_path, node.master_sock, node.pid_file), stdout=subprocess.DEVNULL, stderr=log
        )
        try:
            wait_ready(node.master_sock, node.admin_sock)
            yield RunningNode(node, proc)
        finally:
            _kill(proc)


# --- client --------------------------------------------------------------------------------------


@dataclass
class Reply:
    status: int
    headers: dict[str, str]
    body: str
    peer_cert: bytes | None = None
    set_cookies: tuple[str, ...] = ()  # every Set-Cookie line (``headers`` keeps only the last)

    def json(self) -> dict[str, object]:
        return json.loads(self.body)


_PLAIN = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)


class _Connection(http.client.HTTPSConnection):
    """HTTP or HTTPS to an IP with a chosen SNI name (http.client takes SNI from the host it connects to)."""

    def __init__(self, ip: str, port: int, tls: ssl.SSLContext | None, sni: str | None, source: str | None):
        # A context is only needed for TLS; building a default one loads the CA store (~25 ms).
        super().__init__(ip, port, timeout=5, context=tls or _PLAIN)
        self._tls, self._sni, self._source = tls, sni, source

    def connect(self) -> None:
        src = (self._source, 0) if self._source else None
        sock = socket.create_connection((self.host, self.port), self.timeout, src)
        self.sock = self._tls.wrap_socket(sock, server_hostname=self._sni) if self._tls else sock


def request(
    port: int,
    path: str = "/",
    *,
    method: str = "GET",
    headers: list[tuple[str, str]] | dict[str, str] | None = None,
    ip: str = "127.0.0.1",
    tls: ssl.SSLContext | None = None,
    sni: str | None = None,
    source: str | None = None,
) -> Reply:
    """One request on a new connection (what a new ALB client does); repeated header names allowed."""
    pairs = list(headers.items()) if isinstance(headers, dict) else list(headers or [])
    conn = _Connection(ip, port, tls, sni, source)
    try:
        conn.putrequest(method, path, skip_host=any(k.lower() == "host" for k, _ in pairs))
        for key, value in pairs:
            conn.putheader(key, value)
        conn.endheaders()
        resp = conn.getresponse()
        body = resp.read().decode(errors="replace")
        cert = conn.sock.getpeercert(binary_form=True) if tls else None
        pairs = resp.getheaders()
        cookies = tuple(v for k, v in pairs if k.lower() == "set-cookie")
        return Reply(resp.status, {k.lower(): v for k, v in pairs}, body, cert, cookies)
    finally:
        conn.close()
