"""The haproxy.cfg of one ALB node: global, defaults, a frontend per listener, a backend per target group."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from alblab.dataplane.documented import (
    HEADER_LINE_MAX,
    MIXED_CASE_HEADERS,
    REQUEST_HEADERS_MAX,
    REQUEST_LINE_MAX,
)
from alblab.dataplane.haproxy.backend import render_backend
from alblab.dataplane.haproxy.frontend import render_frontend
from alblab.dataplane.haproxy.names import cfg_word
from alblab.dataplane.haproxy.own_answers import http_error_lines
from alblab.dataplane.haproxy.reqlog import defaults_lines, global_lines
from alblab.model import Stack

# Room for rewrites (Host, X-Forwarded-*, X-Amzn-Trace-Id) that HAProxy keeps free in every buffer.
MAX_REWRITE = 8 * 1024
# A request head as large as ALB accepts (request line + 64 K of headers) must fit beside that room, so
# that ALB's own 400 answers it past the limits, not HAProxy's parser before them.
BUFSIZE = REQUEST_LINE_MAX + REQUEST_HEADERS_MAX + HEADER_LINE_MAX
# ALB documents no header count (only their size); HAProxy's default of 101 would refuse far fewer.
MAX_HEADERS = 1000


@dataclass(frozen=True)
class NodeConfig:
    """What differs between ALB nodes (one HAProxy each).

    ``certs`` maps a certificate ARN to a PEM file holding the certificate chain and its private key
    (HAProxy's ``crt`` format); every certificate an HTTPS listener names must be present.
    ``name`` prefixes every file of this node in ``run_dir``; unix socket paths are global across network
    namespaces, so two nodes must not share a (run_dir, name) pair. Keep ``run_dir`` short: a unix socket
    path is limited to 107 bytes.
    """

    bind_ips: tuple[str, ...]
    run_dir: Path
    certs: Mapping[str, Path] = field(default_factory=dict)
    name: str = "alb"
    # ALB's connect timeout to targets is 10 s; tests lower it to see a dead target quickly.
    connect_timeout_s: float = 10.0
    maxconn: int = 4096  # must stay below the fd limit (2 fds per proxied connection)
    log_stdout: bool = False  # access log (with the matched rule number) on the worker's stdout
    request_log: bool = False  # one JSON line per request on the worker's stdout (see haproxy.reqlog)
    # Off, as on ALB: a request whose target refuses, resets or drops the connection fails (502). On: it
    # is tried again on another target, so a dying target costs (almost) no failed request.
    retry_failed_requests: bool = False

    @property
    def cfg_path(self) -> Path:
        return self.run_dir / f"{self.name}.cfg"

    @property
    def admin_sock(self) -> Path:
        return self.run_dir / f"{self.name}.admin.sock"

    @property
    def master_sock(self) -> Path:
        return self.run_dir / f"{self.name}.master.sock"

    @property
    def state_file(self) -> Path:
        return self.run_dir / f"{self.name}.servers.state"

    @property
    def pid_file(self) -> Path:
        return self.run_dir / f"{self.name}.pid"


def _ms(seconds: float) -> str:
    return f"{round(seconds * 1000)}ms"


def global_section(stack: Stack, node: NodeConfig) -> str:
    drain = max(
        (
            int(tg.attributes.get("deregistration_delay.timeout_seconds", "300"))
            for tg in stack.target_groups.values()
        ),
        default=300,
    )
    lines = [
        f"maxconn {node.maxconn}",
        # expose-fd listeners: a new process may fetch the listening sockets here (-x). Measured: the 2.6
        # master-worker reload loses no connection with or without it; kept for plain -sf reloads.
        f"stats socket {cfg_word(str(node.admin_sock))} mode 600 level admin expose-fd listeners",
        # Old workers finish in-flight requests for at most the longest deregistration delay, as ALB drains.
        f"hard-stop-after {max(drain, 1)}s",
        "nbthread 1",
        f"tune.bufsize {BUFSIZE}",
        f"tune.maxrewrite {MAX_REWRITE}",
        f"tune.http.maxhdr {MAX_HEADERS}",
        # HAProxy sends every header name in lower case; ALB writes these few in mixed case.
        *(f"h1-case-adjust {name.lower()} {name}" for name in MIXED_CASE_HEADERS),
        # reload() saves health states here so that a reload does not bring a DOWN target back UP.
        f"server-state-file {cfg_word(str(node.state_file))}",
    ]
    if node.log_stdout:
        lines.append("log stdout format raw local0 info")
    return "global\n" + "".join(f"    {line}\n" for line in lines)


def retry_lines(retry_failed_requests: bool) -> list[str]:
    if not retry_failed_requests:
        # ALB: a refused or reset connection, or a target that closes with the request outstanding, is a
        # 502 at once; the request is never sent to another target.
        return ["retries 0"]
    return [
        # The forgiving option: retry once elsewhere.
        "retries 2",
        "option redispatch 1",
        # A target killed mid-request closes without answering: retry that too (HAProxy replays only
        # requests it still holds whole).
        "retry-on conn-failure empty-response",
    ]


def defaults_section(stack: Stack, node: NodeConfig) -> str:
    idle = int(stack.load_balancer.attributes.get("idle_timeout.timeout_seconds", "60"))
    lines = [
        "mode http",
        f"timeout connect {_ms(node.connect_timeout_s)}",
        # ALB's idle timeout bounds both sides and the wait for a target's response (then 504).
        f"timeout client {idle}s",
        f"timeout server {idle}s",
        f"timeout http-keep-alive {idle}s",
        *retry_lines(node.retry_failed_requests),
        "load-server-state-from-file global",
        "option h1-case-adjust-bogus-server",
        *http_error_lines(),
    ]
    if node.log_stdout:
        lines += [
            "log global",
            "log-format " + cfg_word("%ci:%cp %ft %b/%s %ST %B %Tt rule=%[var(txn.rule)] %{+Q}r"),
        ]
    return "defaults\n" + "".join(f"    {line}\n" for line in lines)


def render(stack: Stack, node: NodeConfig) -> str:
    """The haproxy.cfg text for one ALB node of ``stack`` (pure: writes nothing).

    Every listener becomes a frontend bound on each of ``node.bind_ips``; every target group a backend.
    """
    parts = [
        f"# ALB {stack.load_balancer.name}, node {node.name}: generated by alblab from the ELBv2 API state\n",
        global_section(stack, node) + global_lines(node.request_log and not node.log_stdout),
        defaults_section(stack, node) + defaults_lines(node.request_log and not node.log_stdout),
    ]
    for listener in sorted(stack.load_balancer.listeners, key=lambda lst: lst.port):
        parts.append(render_frontend(stack, listener, node.bind_ips, node.certs))
    for tg in sorted(stack.target_groups.values(), key=lambda t: t.name):
        parts.append(render_backend(stack, tg))
    return "\n".join(parts)
