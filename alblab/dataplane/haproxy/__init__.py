"""HAProxy as the ALB node: render a config from the model, check it, start it, hot-reload it, read health.

Its face (the plane's nodes module and the tests use only these names):

- ``NodeConfig``: what differs per ALB node (bind addresses, run dir, sockets, certificates).
- ``render(stack, node) -> str``: the whole haproxy.cfg for one ALB node.
- ``check_config(path)``: ``haproxy -c``; raises ``HAProxyConfigError`` with HAProxy's text.
- ``start_cmd(cfg_path, master_sock, pid_file) -> list[str]``: argv of a foreground master-worker.
- ``reload(master_sock, admin_sock=None, timeout=10.0, state_file=None)``: master CLI ``reload``; returns
  the new worker's PID once it serves. Pass ``state_file=node.state_file`` to keep health states.
- ``server_health(admin_sock) -> dict[(backend, server), state]`` from ``show stat`` ("UP", "DOWN", ...).
- ``backend_name(tg)`` / ``server_name(target, port)``: the config's names, to map health to the model.
- ``NodeConfig.cfg_path`` / ``.admin_sock`` / ``.master_sock`` / ``.pid_file`` / ``.state_file``: its files.
"""

from __future__ import annotations

from alblab.dataplane.haproxy.config import NodeConfig, render
from alblab.dataplane.haproxy.names import backend_name, server_name
from alblab.dataplane.haproxy.runtime import (
    HAProxyConfigError,
    HAProxyRuntimeError,
    check_config,
    reload,
    server_health,
    start_cmd,
)

__all__ = [
    "HAProxyConfigError",
    "HAProxyRuntimeError",
    "NodeConfig",
    "backend_name",
    "check_config",
    "reload",
    "render",
    "server_health",
    "server_name",
    "start_cmd",
]
