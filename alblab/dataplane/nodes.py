"""The ALB nodes: one HAProxy master-worker per node namespace, rendered from the model, hot-reloaded.

A node's config, sockets and pid file live in the plane's socket directory (short, and seen from both
sides of the rootless holder); ``configs`` holds the text each running node was started or reloaded with,
read back from those files when a later process attaches.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable
from pathlib import Path

from alblab.dataplane import certs as certmod
from alblab.dataplane import haproxy
from alblab.dataplane.errors import DataPlaneError
from alblab.dataplane.haproxy.runtime import cli, wait_ready
from alblab.dataplane.procs import ProcTable
from alblab.dataplane.topology import Host, Topology
from alblab.model import Stack

_ALERT = re.compile(r"^\[ALERT\]\s+\(\d+\)\s*:\s*(config\s*:\s*)?")


def node_name(host: Host) -> str:
    """What the plane calls a node outside: the part of its namespace name after the prefix."""
    return host.ns.rsplit("-", 1)[1]


class Nodes:
    def __init__(
        self,
        run_dir: Path,
        sock_dir: Path,
        key_dir: Path | None,
        connect_timeout_s: float,
        table: ProcTable,
        progress: Callable[[str], None],
        retry_failed_requests: bool = False,
    ) -> None:
        self.run_dir, self.sock_dir, self.key_dir = run_dir, sock_dir, key_dir
        self.connect_timeout_s, self.table, self.progress = connect_timeout_s, table, progress
        self.retry_failed_requests = retry_failed_requests
        self.configs: dict[str, str] = {}
        self.warnings: list[str] = []

    def config(self, host: Host, certs: dict[str, Path] | None = None) -> haproxy.NodeConfig:
        return haproxy.NodeConfig(
            bind_ips=(host.ip,), run_dir=self.sock_dir, certs=certs or {}, name=node_name(host),
            connect_timeout_s=self.connect_timeout_s, request_log=True,
            retry_failed_requests=self.retry_failed_requests,
        )  # fmt: skip

    def log_path(self, host: Host) -> Path:
        """The node's process log: HAProxy's messages and its request log (``haproxy.reqlog``)."""
        return self.run_dir / f"haproxy-{host.ns}.log"

    def load_running(self, topo: Topology) -> None:
        """What each node runs now, so that a later converge reloads no node without a change."""
        for host in topo.by_role("alb"):
            cfg = self.config(host).cfg_path
            if cfg.exists():
                self.configs[host.ns] = cfg.read_text()

    def answering(self, host: Host) -> bool:
        """The master runs and the current worker answers on its stats socket."""
        if not self.table.is_running(f"haproxy:{host.ns}"):
            return False
        try:
            return "Pid:" in cli(self.config(host).admin_sock, "show info", timeout=1.0)
        except OSError:
            return False

    def forget(self, ns: str) -> None:
        """Stop the node of ``ns`` (if any) so that the next :meth:`render` starts it afresh."""
        self.table.stop(f"haproxy:{ns}")
        self.configs.pop(ns, None)

    def render(self, stack: Stack, topo: Topology, reload: bool) -> int:
        """Write every node's config; start the nodes not running, hot-reload changed ones; count them."""
        servable, cert_files = self._servable(stack)
        changed = 0
        for host in topo.by_role("alb"):
            node = self.config(host, cert_files)
            text = haproxy.render(servable, node)
            if self.configs.get(host.ns) == text:
                continue
            node.cfg_path.write_text(text)
            try:
                haproxy.check_config(node.cfg_path)
            except haproxy.HAProxyConfigError as exc:
                first = next((ln for ln in str(exc).splitlines() if "ALERT" in ln), str(exc).splitlines()[0])
                first = _ALERT.sub("", first)
                raise DataPlaneError(
                    f"HAProxy rejects the config of node {node.name} ({node.cfg_path}): {first}"
                ) from exc
            if reload and self.table.is_running(f"haproxy:{host.ns}"):
                # With the state file a target the checks took out stays out, as on ALB.
                haproxy.reload(node.master_sock, node.admin_sock, state_file=node.state_file)
            else:
                node.state_file.unlink(missing_ok=True)  # a (re)started node checks every target afresh
                argv = haproxy.start_cmd(node.cfg_path, node.master_sock, node.pid_file)
                self.table.spawn(f"haproxy:{host.ns}", host.ns, argv, self.log_path(host))
                wait_ready(node.master_sock, node.admin_sock)
            self.configs[host.ns] = text
            changed += 1
        return changed

    def servable_ports(self, stack: Stack) -> list[int]:
        """Ports of the listeners the nodes serve (not an HTTPS one whose certificate has no key here)."""
        cert_files, _warnings = certmod.prepare(stack.certificates, self.key_dir, self.run_dir / "certs")
        return [
            lst.port
            for lst in stack.load_balancer.listeners
            if all(arn in cert_files for arn in lst.certificate_arns)
        ]

    def _servable(self, stack: Stack) -> tuple[Stack, dict[str, Path]]:
        """The stack minus HTTPS listeners whose certificate has no private key here (warned about)."""
        cert_files, warnings = certmod.prepare(stack.certificates, self.key_dir, self.run_dir / "certs")
        for warning in warnings:
            if warning not in self.warnings:
                self.warnings.append(warning)
                self.progress(f"warning: {warning}")
        lb = stack.load_balancer
        keep = tuple(lst for lst in lb.listeners if all(arn in cert_files for arn in lst.certificate_arns))
        for lst in lb.listeners:
            if lst not in keep:
                self.progress(
                    f"warning: listener {lst.protocol}:{lst.port} skipped (certificate without key)"
                )
        return dataclasses.replace(stack, load_balancer=dataclasses.replace(lb, listeners=keep)), cert_files

    def server_health(self, host: Host) -> dict[tuple[str, str], str] | None:
        """(backend, server) -> HAProxy status, or None when the node does not answer."""
        try:
            return haproxy.server_health(self.config(host).admin_sock)
        except (OSError, haproxy.HAProxyRuntimeError):
            return None
