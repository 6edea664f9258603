"""The stand-in backend processes: one per instance or IP target, started, restarted and stopped by PID.

Which ports a host serves comes from the model (traffic and health-check ports of every registration);
a failure mode is set through the host's control file (no network: the SGs would block a control port).
"""

from __future__ import annotations

import json
import os
import re
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from alblab.dataplane import tools
from alblab.dataplane.documented import HEALTH_CHECK_USER_AGENT
from alblab.dataplane.errors import DataPlaneError
from alblab.dataplane.netns import Netns
from alblab.dataplane.procs import ProcTable
from alblab.dataplane.topology import Host, Topology
from alblab.model import Stack
from alblab.startclock import StartClock

REPO_ROOT = Path(__file__).resolve().parents[2]
MODES = ("healthy", "unhealthy", "dead")
_SLOW = re.compile(r"slow:(\d{1,6})")
START_TIMEOUT_S = 20.0

NGINX_CONF = """# stand-in for {owner}: a fast static answer (benchmarks); health checks told by User-Agent
{rootless}worker_processes 1;
daemon off;
pid {run}/nginx-{owner}.pid;
error_log {run}/nginx-{owner}.err warn;
events {{ worker_connections 4096; }}
http {{
    access_log off;
    client_body_temp_path {run}/ngx-{owner}/body;
    proxy_temp_path {run}/ngx-{owner}/proxy;
    fastcgi_temp_path {run}/ngx-{owner}/fcgi;
    uwsgi_temp_path {run}/ngx-{owner}/uwsgi;
    scgi_temp_path {run}/ngx-{owner}/scgi;
    keepalive_requests 100000;
    default_type text/plain;
    server {{
{listens}
{app}
    }}
}}
"""
# Rootless: only uid 0 is mapped in the holder's user namespace, so nginx can neither chown its temp
# dirs to "nobody" nor drop to it in a worker (setgroups is denied there): one process, staying "root".
NGINX_ROOTLESS = "master_process off;\nuser root root;\n"


@dataclass
class BackendSpec:
    owner: str  # instance id or IP
    ports: set[int] = field(default_factory=set)


def specs(stack: Stack, topo: Topology) -> dict[str, BackendSpec]:
    """Per host namespace: the ports its stand-in app must serve (traffic + health-check ports)."""
    by_ip = {h.ip: h for h in topo.hosts.values() if h.role in ("instance", "iptarget")}
    out: dict[str, BackendSpec] = {}
    for tg in stack.target_groups.values():
        for target in tg.targets:
            host = by_ip.get(stack.address_of(tg, target) or "")
            port = tg.port_of(target)
            if host is None or port is None:
                continue
            spec = out.setdefault(host.ns, BackendSpec(host.owner))
            spec.ports.add(port)
            hc_port = tg.health_check_port(target)
            if tg.health_check.enabled and hc_port is not None:
                spec.ports.add(hc_port)
    return out


def nginx_conf(owner: str, ip: str, az: str, ports: list[int], run_dir: Path, rootless: bool) -> str:
    """nginx as a fast stand-in (benchmarks): the identity keys a verdict reads, no failure modes."""
    keys = {
        "instance": owner,
        "private-ip": ip,
        "az": az,
        "port": "$server_port",
        "method": "$request_method",
    }
    keys |= {"path": "$request_uri", "x-forwarded-for": "$http_x_forwarded_for"}
    body = "".join(f"{k}: {v}\\n" for k, v in keys.items())  # nginx turns \n into a newline
    checker = HEALTH_CHECK_USER_AGENT.replace("/", "\\/").replace(".", "\\.")
    health = f'if ($http_user_agent ~ "^{checker}$") {{ return 200 "ok\\n"; }}'
    app = f'        location / {{\n            {health}\n            return 200 "{body}";\n        }}'
    return NGINX_CONF.format(
        owner=owner,
        run=run_dir,
        rootless=NGINX_ROOTLESS if rootless else "",
        listens="\n".join(f"        listen {p};" for p in ports),
        app=app,
    )


def check_mode(mode: str) -> str:
    if mode in MODES or _SLOW.fullmatch(mode):
        return mode
    raise DataPlaneError(
        f"unknown mode {mode!r}: use healthy, unhealthy, dead or slow:MS (MS: whole milliseconds, < 1000000)"
    )


class Backends:
    """The backend processes of one plane; ``args`` (ns -> argv of what runs) is part of the saved state."""

    def __init__(
        self,
        run_dir: Path,
        kind: str,
        rootless: bool,
        table: ProcTable,
        args: dict[str, list[str]],
        progress: Callable[[str], None],
    ) -> None:
        if kind not in ("standin", "nginx"):
            raise DataPlaneError(f"backend kind must be standin or nginx, not {kind!r}")
        self.run_dir, self.kind, self.rootless = run_dir, kind, rootless
        self.table, self.args, self.progress = table, args, progress

    def control_file(self, owner: str) -> Path:
        return self.run_dir / "ctl" / f"{owner}.mode"

    def set_mode(self, owner: str, mode: str) -> None:
        path = self.control_file(owner)
        path.parent.mkdir(parents=True, exist_ok=True)
        # Replace, never rewrite: the backend polls the file and must never read it half-written.
        tmp = path.with_name(f".{path.name}.tmp")
        tmp.write_text(check_mode(mode) + "\n")
        os.replace(tmp, path)

    def not_running(self, topo: Topology) -> list[str]:
        """Namespaces whose backend should run (it was started) but does not."""
        return [ns for ns in self.args if ns in topo.hosts and not self.table.is_running(f"backend:{ns}")]

    def forget(self, ns: str) -> None:
        """Stop the backend of ``ns`` (if any) so that the next :meth:`sync` starts it afresh."""
        self.table.stop(f"backend:{ns}")
        self.args.pop(ns, None)

    def ports_file(self, owner: str) -> Path:
        return self.run_dir / "ctl" / f"{owner}.ports"

    def sync(self, stack: Stack, topo: Topology, net: Netns, keep_ports: bool = False) -> list[str]:
        """Start what is missing or changed, stop what is no longer wanted; returns the owners started.

        A stand-in that runs already takes a new set of ports from its ports file without a
        restart. ``keep_ports``: also keep serving what each runs now (a host no longer wanted included),
        for the moment between the new ports opening and HAProxy moving off the old ones."""
        wanted = specs(stack, topo)
        if keep_ports:
            for ns in self.args:
                if ns in topo.hosts:
                    held = self._held(topo.hosts[ns].owner)
                    spec = wanted.setdefault(ns, BackendSpec(topo.hosts[ns].owner))
                    spec.ports |= held.ports
        started: list[tuple[str, Path]] = []
        waiting: list[tuple[str, Path, str]] = []
        (self.run_dir / "ctl").mkdir(parents=True, exist_ok=True)
        for ns, spec in wanted.items():
            host = topo.hosts[ns]
            ready = self.run_dir / "ctl" / f"{spec.owner}.ready"
            text = self._write_ports(spec)
            argv = self._argv(host, spec, ready)
            if self.args.get(ns) == argv and self.table.is_running(f"backend:{ns}"):
                if self.kind == "standin" and not _ready_with(ready, text):
                    waiting.append((ns, ready, text))
                continue
            ready.unlink(missing_ok=True)
            env = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
            # Recorded as wanted before it starts: an interrupt leaves a state that names it.
            self.args[ns] = argv
            self.table.spawn(f"backend:{ns}", ns, argv, self.run_dir / f"backend-{spec.owner}.log", env)
            started.append((ns, ready))
        for ns in [ns for ns in self.args if ns not in wanted]:
            self.forget(ns)
        if started:
            self.progress(f"stand-in backends: starting {len(started)}")
        # Each start's timeout does not count the time its process queued for a CPU (alblab.startclock).
        clocks = {
            ns: StartClock(self.table.procs[f"backend:{ns}"].pid, START_TIMEOUT_S)
            for ns in [ns for ns, _ready in started] + [ns for ns, _ready, _text in waiting]
        }
        for ns, ready in started:
            while not (ready.exists() if self.kind == "standin" else _listening(net, ns, wanted[ns].ports)):
                self._wait_or_fail(ns, wanted[ns].owner, clocks[ns])
        for ns, ready, text in waiting:
            while not _ready_with(ready, text):
                self._wait_or_fail(ns, wanted[ns].owner, clocks[ns])
        return [wanted[ns].owner for ns, _ in started]

    def _wait_or_fail(self, ns: str, owner: str, clock: StartClock) -> None:
        if not self.table.is_running(f"backend:{ns}"):
            raise DataPlaneError(
                f"the backend of {owner} exited while starting; see {self.run_dir / f'backend-{owner}.log'}"
            )
        if clock.expired():
            raise DataPlaneError(
                f"the backend of {owner} did not start {clock.describe()}; "
                f"see {self.run_dir / f'backend-{owner}.log'}"
            )
        time.sleep(0.02)

    def _write_ports(self, spec: BackendSpec) -> str:
        """The ports file a stand-in follows; rewritten (atomically) only when it changes."""
        text = json.dumps({"ports": sorted(spec.ports)}) + "\n"
        path = self.ports_file(spec.owner)
        if not (path.is_file() and path.read_text() == text):
            tmp = path.with_name(f".{path.name}.tmp")
            tmp.write_text(text)
            os.replace(tmp, path)
        return text

    def _held(self, owner: str) -> BackendSpec:
        """What the stand-in of ``owner`` serves now, by its ports file."""
        try:
            data = json.loads(self.ports_file(owner).read_text())
        except (OSError, ValueError):
            return BackendSpec(owner)
        return BackendSpec(owner, set(data.get("ports", [])))

    def _argv(self, host: Host, spec: BackendSpec, ready: Path) -> list[str]:
        if self.kind == "nginx":
            conf = self.run_dir / f"nginx-{spec.owner}.conf"
            for sub in ("body", "proxy", "fcgi", "uwsgi", "scgi"):
                (self.run_dir / f"ngx-{spec.owner}" / sub).mkdir(parents=True, exist_ok=True)
            text = nginx_conf(
                spec.owner,
                host.ip,
                host.az,
                sorted(spec.ports),
                self.run_dir,
                self.rootless,
            )
            conf.write_text(text)
            return [tools.path("nginx"), "-c", str(conf), "-e", str(self.run_dir / f"nginx-{spec.owner}.err")]
        # Ports come from the ports file: a change of them is no reason to restart.
        return [
            sys.executable, "-m", "alblab.dataplane.backend",
            "--instance", spec.owner, "--ip", host.ip, "--az", host.az,
            "--control", str(self.control_file(spec.owner)), "--ready", str(ready),
            "--ports-file", str(self.ports_file(spec.owner)),
        ]  # fmt: skip


def _ready_with(ready: Path, text: str) -> bool:
    """The stand-in has applied the ports file whose text is ``text``."""
    try:
        return ready.read_text() == text
    except FileNotFoundError:
        return False


def _listening(net: Netns, ns: str, ports: set[int]) -> bool:
    out = net.exec(ns, [tools.path("ss"), "-Hltn"])
    bound = {int(line.split()[3].rsplit(":", 1)[1]) for line in out.splitlines() if line.strip()}
    return ports <= bound
