"""One ALB's data plane: topology + SG rulesets + stand-in backends + one HAProxy per ALB node.

``DataPlane(stack, run_dir).up()`` builds it from the model; ``converge(new_stack)`` re-renders the nftables
rulesets and HAProxy configs and hot-reloads; ``down()`` stops every process it started and deletes every
namespace it created (idempotent; also run at interpreter exit unless the plane is meant to outlive it).
"""

from __future__ import annotations

import atexit
import contextlib
import dataclasses
import json
import os
import secrets
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from alblab.dataplane import certs as certmod
from alblab.dataplane import haproxy, netns, nft, topology
from alblab.dataplane.backend import nginx_conf
from alblab.dataplane.haproxy_names import target_address, target_port
from alblab.dataplane.haproxy_runtime import wait_ready
from alblab.dataplane.procs import ProcTable
from alblab.dataplane.topology import Host, Topology
from alblab.model import Stack

REPO_ROOT = Path(__file__).resolve().parents[2]
SOCK_ROOT = Path("/run/alblab")  # unix socket paths are limited to 107 bytes: keep them short
Progress = Callable[[str], None]


class DataPlaneError(RuntimeError):
    pass


@dataclass(frozen=True)
class HttpResult:
    status: int
    status_line: str
    headers: list[tuple[str, str]]
    body: str

    def header(self, name: str) -> str | None:
        return next((v for k, v in self.headers if k.lower() == name.lower()), None)

    def fields(self) -> dict[str, list[str]]:
        """The stand-in backend's ``key: value`` body lines (a key may repeat, e.g. x-forwarded-for)."""
        out: dict[str, list[str]] = {}
        for line in self.body.splitlines():
            if ": " in line:
                key, value = line.split(": ", 1)
                out.setdefault(key, []).append(value)
        return out

    def field(self, key: str) -> str | None:
        values = self.fields().get(key)
        return values[0] if values else None


def parse_curl_output(raw: str) -> HttpResult:
    head, _, body = raw.replace("\r\n", "\n").partition("\n\n")
    lines = head.splitlines()
    if not lines or not lines[0].startswith("HTTP/"):
        raise DataPlaneError(f"no HTTP response: {raw[:200]!r}")
    headers = [(k.strip(), v.strip()) for k, _, v in (line.partition(":") for line in lines[1:])]
    return HttpResult(int(lines[0].split()[1]), lines[0], headers, body)


@dataclass
class BackendSpec:
    owner: str  # instance id or IP
    ports: set[int] = field(default_factory=set)
    health_paths: set[str] = field(default_factory=set)


def backend_specs(stack: Stack, topo: Topology) -> dict[str, BackendSpec]:
    """Per host namespace: the ports its stand-in app must serve (traffic + health-check ports)."""
    by_ip = {h.ip: h for h in topo.hosts.values() if h.role in ("instance", "iptarget")}
    specs: dict[str, BackendSpec] = {}
    for tg in stack.target_groups.values():
        for target in tg.targets:
            address = target_address(stack, tg, target)
            port = target_port(tg, target)
            host = by_ip.get(address or "")
            if host is None or port is None:
                continue
            spec = specs.setdefault(host.ns, BackendSpec(host.owner))
            spec.ports.add(port)
            hc_port = tg.health_check_port(target)
            if tg.health_check.enabled and hc_port is not None:
                spec.ports.add(hc_port)
                spec.health_paths.add(tg.health_check.path)
    return specs


def sg_members(stack: Stack, topo: Topology) -> dict[str, set[str]]:
    return nft.members_by_sg(
        (h.ip, h.security_group_ids) for h in topo.hosts.values() if h.security_group_ids
    )


def health_word(status: str) -> str:
    """HAProxy server status -> the ELBv2 target health word."""
    if status.startswith("UP") or status == "NOLB":
        return "healthy"
    if status.startswith("DOWN"):
        return "unhealthy"
    if status == "MAINT":
        return "unused"
    return "unavailable"  # "no check": health checks are off


def delete_namespaces(prefix: str, known: Sequence[str] = ()) -> None:
    """Delete every namespace of this plane (by its unique prefix) and the files that go with them."""
    ours = {ns for ns in netns.existing() if ns.startswith(f"{prefix}-")} | set(known)
    for ns in sorted(ours):
        # Anything still running inside a namespace we created was started by us (e.g. a reload's old worker).
        for pid in netns.pids(ns):
            if netns.identify(pid) == ns:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, 9)
        netns.delete(ns)
    shutil.rmtree(SOCK_ROOT / prefix, ignore_errors=True)


def teardown_saved(run_dir: Path) -> str | None:
    """Tear down the plane saved in ``run_dir`` without reading any AWS state; returns its prefix."""
    path = Path(run_dir) / "plane.json"
    if not path.exists():
        return None
    state = json.loads(path.read_text())
    prefix, names = state["prefix"], list(state["names"].values())
    procs = ProcTable(Path(run_dir) / "procs.json", [f"{prefix}-r", *names])
    procs.stop_all()
    delete_namespaces(prefix, [f"{prefix}-r", *names])
    path.unlink()
    return str(prefix)


class DataPlane:
    def __init__(
        self,
        stack: Stack,
        run_dir: Path,
        key_dir: Path | None = None,
        prefix: str | None = None,
        connect_timeout_s: float = 10.0,
        progress: Progress | None = None,
        backend_kind: str = "standin",
    ) -> None:
        if backend_kind not in ("standin", "nginx"):
            raise ValueError(f"backend_kind must be standin or nginx, not {backend_kind!r}")
        self.backend_kind = backend_kind
        self.stack = stack
        self.run_dir = Path(run_dir).resolve()
        self.key_dir = key_dir
        self.prefix = prefix or f"al{secrets.token_hex(3)[:5]}"
        self.connect_timeout_s = connect_timeout_s
        self.progress: Progress = progress or (lambda _msg: None)
        self.topo = topology.plan(stack, self.prefix)
        self.procs = ProcTable(self.run_dir / "procs.json", self.topo.namespaces)
        self.warnings: list[str] = []
        self._rulesets: dict[str, str] = {}
        self._configs: dict[str, str] = {}
        self._backend_args: dict[str, list[str]] = {}
        self._down = False

    # --- persistence (the CLI runs each command in a new process) -----------------------------------

    @property
    def sock_dir(self) -> Path:
        return SOCK_ROOT / self.prefix

    def save(self) -> None:
        state = {
            "prefix": self.prefix,
            "names": topology.names_of(self.topo),
            "key_dir": str(self.key_dir or ""),
            "backend_args": self._backend_args,
            "backend_kind": self.backend_kind,
        }
        (self.run_dir / "plane.json").write_text(json.dumps(state, indent=1) + "\n")

    @classmethod
    def attach(cls, stack: Stack, run_dir: Path, progress: Progress | None = None) -> DataPlane:
        """The plane an earlier process brought up in ``run_dir`` (for status/curl/fail/converge/down)."""
        state = json.loads((Path(run_dir) / "plane.json").read_text())
        plane = cls(
            stack,
            run_dir,
            Path(state["key_dir"]) if state["key_dir"] else None,
            state["prefix"],
            progress=progress,
        )
        plane.topo = topology.plan(stack, plane.prefix, state["names"])
        plane.procs.namespaces |= set(plane.topo.namespaces) | set(state["names"].values())
        # What is running now, so converge() restarts no backend and reloads no node without a change.
        plane.backend_kind = state.get("backend_kind", "standin")
        plane._backend_args = state.get("backend_args", {})
        for host in plane.topo.by_role("alb"):
            cfg = plane.node_config(host, {}).cfg_path
            if cfg.exists():
                plane._configs[host.ns] = cfg.read_text()
        return plane

    # --- life cycle ------------------------------------------------------------------------------------

    def up(self, persist: bool = False) -> DataPlane:
        """Build everything; ``persist=False`` also tears it down at interpreter exit."""
        problem = netns.privilege_problem()
        if problem:
            raise DataPlaneError(problem)
        self.run_dir.mkdir(parents=True, exist_ok=True)
        (self.run_dir / "ctl").mkdir(exist_ok=True)
        self.sock_dir.mkdir(parents=True, exist_ok=True)
        if not persist:
            atexit.register(self.down)
        try:
            t0 = time.monotonic()
            self.progress(f"namespaces: {len(self.topo.namespaces)} ({self.prefix}-*)")
            topology.build(self.topo)
            self._write_hosts_files()
            self._apply_rulesets()
            self.progress(f"network + security groups ready in {time.monotonic() - t0:.2f} s")
            self._sync_backends()
            self._start_nodes()
            self.save()
            self.progress(f"data plane up in {time.monotonic() - t0:.2f} s")
        except BaseException:
            self.down()
            raise
        return self

    def converge(self, stack: Stack) -> dict[str, float]:
        """Bring the running plane to ``stack``: hosts, rulesets, backends, HAProxy (hot reload)."""
        t0 = time.monotonic()
        new = topology.plan(stack, self.prefix, topology.names_of(self.topo))
        same_net = new.segments == self.topo.segments and {h.ns: h for h in new.by_role("alb")} == {
            h.ns: h for h in self.topo.by_role("alb")
        }
        if not same_net:
            # New subnets or ALB nodes: rebuild from scratch (rare; an ALB's subnets seldom change).
            self.progress("subnets or ALB nodes changed: rebuilding the data plane")
            self.down()
            self.stack, self.topo, self._down = stack, topology.plan(stack, self.prefix), False
            self._rulesets, self._configs, self._backend_args = {}, {}, {}
            self.up(persist=True)
            return {"total_s": time.monotonic() - t0, "rebuilt": 1.0}
        gone = [h for ns, h in self.topo.hosts.items() if ns not in new.hosts or new.hosts[ns] != h]
        added = [h for ns, h in new.hosts.items() if ns not in self.topo.hosts or self.topo.hosts[ns] != h]
        for host in gone:
            self.procs.stop(f"backend:{host.ns}")
            self._rulesets.pop(host.ns, None)
            self._backend_args.pop(host.ns, None)
        topology.remove_hosts(self.topo, gone)
        self.stack, self.topo = stack, new
        self.procs.namespaces |= set(new.namespaces)
        topology.build_hosts(new, added)
        self._write_hosts_files()
        self._apply_rulesets()
        t_net = time.monotonic()
        self._sync_backends()
        reloaded = self._render_nodes(reload=True)
        self.save()
        return {
            "total_s": time.monotonic() - t0,
            "network_s": t_net - t0,
            "hosts_added": float(len(added)),
            "hosts_removed": float(len(gone)),
            "nodes_reloaded": float(reloaded),
        }

    def down(self) -> None:
        """Stop our processes (by PID), delete our namespaces and files. Safe to call any number of times."""
        if self._down:
            return
        self._down = True
        self.procs.stop_all()
        delete_namespaces(self.prefix, self.topo.namespaces)

    # --- pieces ----------------------------------------------------------------------------------------

    def _write_hosts_files(self) -> None:
        entries = {self.stack.load_balancer.dns_name: self.topo.alb_ips}
        for host in self.topo.hosts.values():
            if host.role in ("client", "instance"):
                netns.write_hosts_file(host.ns, entries)

    def _apply_rulesets(self) -> None:
        members = sg_members(self.stack, self.topo)
        for host in self.topo.hosts.values():
            if not host.security_group_ids:
                continue  # client, on-prem and IP targets: no ENI, no SG
            groups = [
                self.stack.security_groups[g]
                for g in host.security_group_ids
                if g in self.stack.security_groups
            ]
            ruleset = nft.render_ruleset(groups, members)
            if self._rulesets.get(host.ns) != ruleset:
                nft.apply(host.ns, ruleset)
                self._rulesets[host.ns] = ruleset

    def control_file(self, owner: str) -> Path:
        return self.run_dir / "ctl" / f"{owner}.mode"

    def _sync_backends(self) -> None:
        specs = backend_specs(self.stack, self.topo)
        started: list[tuple[str, Path]] = []
        for ns, spec in specs.items():
            host = self.topo.hosts[ns]
            ready = self.run_dir / "ctl" / f"{spec.owner}.ready"
            argv = self._backend_argv(host, spec, ready)
            if self._backend_args.get(ns) == argv and self.procs.is_running(f"backend:{ns}"):
                continue
            ready.unlink(missing_ok=True)
            env = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
            self.procs.spawn(f"backend:{ns}", ns, argv, self.run_dir / f"backend-{spec.owner}.log", env)
            self._backend_args[ns] = argv
            started.append((ns, ready))
        for ns in [ns for ns in self._backend_args if ns not in specs]:
            self.procs.stop(f"backend:{ns}")
            del self._backend_args[ns]
        if started:
            self.progress(f"stand-in backends: starting {len(started)}")
        deadline = time.monotonic() + 20
        for ns, ready in started:
            while not (
                ready.exists() if self.backend_kind == "standin" else self._listening(ns, specs[ns].ports)
            ):
                if time.monotonic() > deadline or not self.procs.is_running(f"backend:{ns}"):
                    raise DataPlaneError(f"stand-in backend in {ns} did not start; see {self.run_dir}")
                time.sleep(0.02)

    def _backend_argv(self, host: Host, spec: BackendSpec, ready: Path) -> list[str]:
        if self.backend_kind == "nginx":
            conf = self.run_dir / f"nginx-{spec.owner}.conf"
            for sub in ("body", "proxy", "fcgi", "uwsgi", "scgi"):
                (self.run_dir / f"ngx-{spec.owner}" / sub).mkdir(parents=True, exist_ok=True)
            conf.write_text(
                nginx_conf(spec.owner, host.ip, host.az, sorted(spec.ports), spec.health_paths, self.run_dir)
            )
            return ["nginx", "-c", str(conf), "-e", str(self.run_dir / f"nginx-{spec.owner}.err")]
        return [
            sys.executable, "-m", "alblab.dataplane.backend",
            "--instance", spec.owner, "--ip", host.ip, "--az", host.az,
            "--control", str(self.control_file(spec.owner)), "--ready", str(ready),
            *(a for p in sorted(spec.ports) for a in ("--port", str(p))),
            *(a for h in sorted(spec.health_paths) for a in ("--health", h)),
        ]  # fmt: skip

    @staticmethod
    def _listening(ns: str, ports: set[int]) -> bool:
        out = netns.run(netns.exec_argv(ns, ["ss", "-Hltn"]))
        bound = {int(line.split()[3].rsplit(":", 1)[1]) for line in out.splitlines() if line.strip()}
        return ports <= bound

    def node_config(self, host: Host, certs: dict[str, Path]) -> haproxy.NodeConfig:
        return haproxy.NodeConfig(
            bind_ips=(host.ip,), run_dir=self.sock_dir, certs=certs, name=host.ns.rsplit("-", 1)[1],
            connect_timeout_s=self.connect_timeout_s,
        )  # fmt: skip

    def _servable_stack(self) -> tuple[Stack, dict[str, Path]]:
        """The stack minus HTTPS listeners whose certificate has no private key here (warned about)."""
        cert_files, warnings = certmod.prepare(self.stack.certificates, self.key_dir, self.run_dir / "certs")
        for warning in warnings:
            if warning not in self.warnings:
                self.warnings.append(warning)
                self.progress(f"warning: {warning}")
        lb = self.stack.load_balancer
        keep = tuple(lst for lst in lb.listeners if all(arn in cert_files for arn in lst.certificate_arns))
        for lst in lb.listeners:
            if lst not in keep:
                self.progress(
                    f"warning: listener {lst.protocol}:{lst.port} skipped (certificate without key)"
                )
        stack = dataclasses.replace(self.stack, load_balancer=dataclasses.replace(lb, listeners=keep))
        return stack, cert_files

    def _render_nodes(self, reload: bool) -> int:
        stack, cert_files = self._servable_stack()
        changed = 0
        for host in self.topo.by_role("alb"):
            node = self.node_config(host, cert_files)
            text = haproxy.render(stack, node)
            if self._configs.get(host.ns) == text:
                continue
            node.cfg_path.write_text(text)
            haproxy.check_config(node.cfg_path)
            if reload and self.procs.is_running(f"haproxy:{host.ns}"):
                haproxy.reload(node.master_sock, node.admin_sock)
            else:
                argv = haproxy.start_cmd(node.cfg_path, node.master_sock, node.pid_file)
                self.procs.spawn(f"haproxy:{host.ns}", host.ns, argv, self.run_dir / f"haproxy-{host.ns}.log")
                wait_ready(node.master_sock, node.admin_sock)
            self._configs[host.ns] = text
            changed += 1
        return changed

    def _start_nodes(self) -> None:
        self.progress(f"HAProxy ALB nodes: starting {len(self.topo.by_role('alb'))}")
        self._render_nodes(reload=False)

    # --- using it --------------------------------------------------------------------------------------

    def client_exec(self, argv: Sequence[str], timeout: float = 30.0) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            netns.exec_argv(self.topo.client.ns, argv),
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )

    def default_listener_port(self) -> int:
        ports = sorted(lst.port for lst in self.stack.load_balancer.listeners)
        if not ports:
            raise DataPlaneError("the load balancer has no listener")
        return 80 if 80 in ports else ports[0]

    def url(self, path: str, port: int | None = None) -> str:
        port = port or self.default_listener_port()
        listener = self.stack.listener(port)
        scheme = "https" if listener.protocol == "HTTPS" else "http"
        return f"{scheme}://{self.stack.load_balancer.dns_name}:{port}{path}"

    def curl(
        self,
        path: str = "/",
        method: str = "GET",
        host: str | None = None,
        headers: Sequence[str] = (),
        port: int | None = None,
        cookie_jar: Path | None = None,
        timeout: float = 5.0,
    ) -> HttpResult:
        """One request from the client namespace to the ALB's DNS name (resolved by its hosts file)."""
        argv = ["curl", "-sS", "-i", "-k", "--max-time", str(timeout), "-X", method]
        if host:
            argv += ["-H", f"Host: {host}"]
        for header in headers:
            argv += ["-H", header]
        if cookie_jar is not None:
            argv += ["-b", str(cookie_jar), "-c", str(cookie_jar)]
        url = self.url(path, port)
        proc = self.client_exec([*argv, url], timeout=timeout + 5)
        if proc.returncode != 0:
            raise DataPlaneError(f"curl {url} failed (rc {proc.returncode}): {proc.stderr.strip()}")
        return parse_curl_output(proc.stdout)

    def probe(self, instance_id: str, port: int = 80, timeout: float = 1.0) -> str:
        """A direct attempt from the internet: "open", "blocked" (dropped: timed out) or "refused"."""
        host = self.topo.by_owner(instance_id)
        proc = self.client_exec(
            ["curl", "-sS", "-o", "/dev/null", "--connect-timeout", str(timeout),
             "--max-time", str(timeout + 2), f"http://{host.ip}:{port}/"],
        )  # fmt: skip
        if proc.returncode == 28:
            return "blocked"
        if proc.returncode == 7:
            return "refused"
        if proc.returncode in (0, 52, 56):  # an answer, or a connection the far end closed: it got through
            return "open"
        raise DataPlaneError(
            f"probe of {host.ip}:{port} failed (curl rc {proc.returncode}): {proc.stderr.strip()}"
        )

    def reach(self, instance_id: str, port: int = 80) -> bool:
        return self.probe(instance_id, port) == "open"

    def set_mode(self, owner: str, mode: str) -> None:
        if owner not in {h.owner for h in self.topo.hosts.values() if h.role in ("instance", "iptarget")}:
            raise KeyError(f"no instance or IP target {owner!r} in this data plane")
        if mode not in ("healthy", "unhealthy", "dead") and not mode.startswith("slow:"):
            raise ValueError(f"unknown mode {mode!r}")
        self.control_file(owner).write_text(mode + "\n")

    def fail(self, instance_id: str, mode: str = "unhealthy") -> None:
        self.set_mode(instance_id, mode)

    def heal(self, instance_id: str) -> None:
        self.set_mode(instance_id, "healthy")

    def health(self) -> dict[str, dict[str, dict[str, str]]]:
        """target group name -> "target:port" -> ALB node ns -> health word, as each node's checks see it."""
        per_node = {
            h.ns: haproxy.server_health(self.node_config(h, {}).admin_sock) for h in self.topo.by_role("alb")
        }
        out: dict[str, dict[str, dict[str, str]]] = {}
        for tg in self.stack.target_groups.values():
            rows = out.setdefault(tg.name, {})
            for target in tg.targets:
                port = target_port(tg, target)
                key = (haproxy.backend_name(tg), haproxy.server_name(target, port))
                rows[f"{target.id}:{port}"] = {
                    ns: health_word(stats[key]) if key in stats else "unused"
                    for ns, stats in per_node.items()
                }
        return out

    def target_health(self) -> dict[str, dict[str, str]]:
        """tg name -> "target:port" -> healthy only when every node sees it healthy."""
        out: dict[str, dict[str, str]] = {}
        for tg, rows in self.health().items():
            out[tg] = {}
            for target, nodes in rows.items():
                words = set(nodes.values())
                out[tg][target] = words.pop() if len(words) == 1 else "draining" if not words else "mixed"
        return out

    def wait_health(self, want: Callable[[dict[str, dict[str, str]]], bool], timeout: float = 30.0) -> float:
        """Poll target health until ``want`` holds; returns the seconds it took."""
        t0 = time.monotonic()
        while True:
            if want(self.target_health()):
                return time.monotonic() - t0
            if time.monotonic() - t0 > timeout:
                raise TimeoutError(f"target health not as wanted after {timeout} s: {self.target_health()}")
            time.sleep(0.1)

    def wait_all_healthy(self, timeout: float = 30.0) -> float:
        return self.wait_health(
            lambda h: all(w in ("healthy", "unavailable") for rows in h.values() for w in rows.values()),
            timeout,
        )
