"""One ALB's data plane: its life cycle (up, attach, converge, repair, down) and its public face.

``DataPlane(stack, run_dir).up()`` builds it from the model; ``converge(new_stack)`` re-renders the nftables
rulesets and HAProxy configs and hot-reloads; ``repair()`` restarts what died; ``down()`` stops every process
it started and removes every namespace it made (idempotent; also run at interpreter exit unless the plane is
meant to outlive it). What it made is always in ``<run_dir>/plane.json`` first, so ``teardown_saved(run_dir)``
removes it from any other process, whatever state an interrupt left.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import re
import secrets
import subprocess
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from alblab.dataplane import client, health, nft, procs, requestlog, sandbox, saved, staging, topology, views
from alblab.dataplane.backends import Backends
from alblab.dataplane.client import HttpResult
from alblab.dataplane.errors import DataPlaneError
from alblab.dataplane.netns import IP, HolderGone, Netns, NetnsError
from alblab.dataplane.nodes import Nodes, node_name
from alblab.dataplane.procs import ProcTable
from alblab.dataplane.saved import PlaneState
from alblab.dataplane.teardown import hosts_dir, marker_for, teardown, teardown_saved
from alblab.dataplane.topology import Host, Topology
from alblab.model import Stack

Progress = Callable[[str], None]
_PREFIX = re.compile(r"[a-z][a-z0-9]{1,11}")
# Set to 1 to have the ALB nodes retry a request that failed on one target on another (ALB does not).
RETRY_ENV = "ALBLAB_RETRY_FAILED_REQUESTS"


def retry_from_env() -> bool:
    value = os.environ.get(RETRY_ENV, "").strip().lower()
    if value in ("", "0", "false", "no", "off"):
        return False
    if value in ("1", "true", "yes", "on"):
        return True
    raise DataPlaneError(f"{RETRY_ENV}={value!r}: use 1 (retry on another target) or 0 (as ALB: no retry)")


class DataPlaneTimeout(DataPlaneError, TimeoutError):
    pass


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
        mode: sandbox.Mode | None = None,
        retry_failed_requests: bool | None = None,
        owner: str = "",
    ) -> None:
        """``owner`` (e.g. a state directory) goes into every process's marker: ``teardown_owned(owner)``
        then finds this plane even when its plane.json is lost."""
        prefix = prefix or f"al{secrets.token_hex(3)[:5]}"
        if not _PREFIX.fullmatch(prefix):
            raise DataPlaneError(
                f"prefix {prefix!r}: 2-12 lowercase letters and digits, starting with a letter"
            )
        mode = mode or sandbox.chosen_mode()
        self.stack = stack
        self._run_dir = Path(run_dir).resolve()
        self.progress: Progress = progress or (lambda _msg: None)
        state = PlaneState(prefix, mode, marker_for(owner), str(sandbox.sock_dir(mode, prefix)))
        state.key_dir, state.backend_kind = str(key_dir or ""), backend_kind
        state.retry_failed_requests = (
            retry_from_env() if retry_failed_requests is None else retry_failed_requests
        )
        state.topology, state.connect_timeout_s = topology.plan(stack, prefix), connect_timeout_s
        self._use(state)
        self._rulesets: dict[str, str] = {}
        self._down = True  # nothing is up until up() or attach()

    def _use(self, state: PlaneState) -> None:
        """Wire the process table, backends and nodes to ``state``: they record into it."""
        self._state = state
        key_dir = Path(state.key_dir) if state.key_dir else None
        self._table = ProcTable(
            state.procs, lambda ns, argv: self._net.exec_argv(ns, argv), state.marker, self._save
        )
        self._backends = Backends(
            self._run_dir,
            state.backend_kind,
            state.mode == "rootless",
            self._table,
            state.backend_args,
            self.progress,
        )
        self._nodes = Nodes(
            self._run_dir,
            Path(state.sock_dir),
            key_dir,
            state.connect_timeout_s,
            self._table,
            self.progress,
            state.retry_failed_requests,
        )

    # --- the face: what the plane is -------------------------------------------------------------------

    @property
    def prefix(self) -> str:
        return self._state.prefix

    @property
    def mode(self) -> sandbox.Mode:
        return self._state.mode

    @property
    def run_dir(self) -> Path:
        return self._run_dir

    @property
    def topo(self) -> Topology:
        """The planned namespaces and addresses (internal: use the views below outside the package)."""
        assert self._state.topology is not None  # planned in __init__, loaded by attach()
        return self._state.topology

    @property
    def sock_dir(self) -> Path:
        return Path(self._state.sock_dir)

    @property
    def _net(self) -> Netns:
        return Netns(self._state.holder, hosts_dir(self._run_dir, self._state))

    @property
    def processes(self) -> dict[str, int]:
        """What runs for this plane: "holder" (rootless), "haproxy <node>", "backend <owner>" -> PID."""
        out = {"holder": self._state.holder.pid} if self._state.holder else {}
        names = {h.ns: node_name(h) if h.role == "alb" else h.owner for h in self.topo.hosts.values()}
        for proc in self._state.procs.values():
            kind, _, ns = proc.name.partition(":")
            out[f"{kind} {names.get(ns, ns)}"] = proc.pid
        return out

    @property
    def retry_failed_requests(self) -> bool:
        """Whether the nodes retry a failed request on another target (ALB does not; off by default)."""
        return self._state.retry_failed_requests

    @property
    def warnings(self) -> list[str]:
        return self._nodes.warnings

    @property
    def client_ip(self) -> str:
        return self.topo.client.ip

    @property
    def listener_ports(self) -> list[int]:
        """The listeners this plane answers on (HTTPS ones need the certificate's private key here)."""
        return self._nodes.servable_ports(self.stack)

    @property
    def alb_nodes(self) -> list[views.AlbNode]:
        return views.alb_nodes(self.topo)

    @property
    def alb_node_ips(self) -> list[str]:
        return [node.ip for node in self.alb_nodes]

    @property
    def targets(self) -> dict[str, views.TargetHost]:
        """owner (instance id or IP target) -> the host standing for it."""
        return views.targets(self.stack, self.topo)

    def address_of(self, owner: str) -> str:
        """The IP the host standing for ``owner`` (any name :meth:`resolve_owner` takes) has."""
        return self.targets[self.resolve_owner(owner)].ip

    def resolve_owner(self, name: str) -> str:
        """Owner of an instance id, its Name tag or the tag's suffix (``web-a`` -> ``a``), or a target IP."""
        return views.resolve_owner(self.targets, name)

    # --- life cycle ------------------------------------------------------------------------------------

    def _save(self) -> None:
        saved.save(self._run_dir, self._state)

    @classmethod
    def attach(
        cls, stack: Stack, run_dir: Path, progress: Progress | None = None, repair: bool = True
    ) -> DataPlane:
        """The plane an earlier process brought up in ``run_dir``, repaired if something of it died
        (``repair=False``: an observer beside the owner, which must not restart what the owner changes)."""
        state = saved.load(Path(run_dir))
        if state is None or state.topology is None:
            raise DataPlaneError(f"no data plane is up in {run_dir}")
        plane = cls(stack, run_dir, prefix=state.prefix, progress=progress, mode=state.mode)
        plane._use(state)
        plane._down = False
        plane._nodes.load_running(plane.topo)
        for fixed in plane.repair() if repair else ():
            plane.progress(f"repaired: {fixed}")
        return plane

    def up(self, persist: bool = False) -> DataPlane:
        """Build everything; ``persist=False`` also tears it down at interpreter exit."""
        sandbox.require(self.mode)
        self._run_dir.mkdir(parents=True, exist_ok=True)
        left = teardown_saved(self._run_dir)
        if left:
            self.progress(f"removed the data plane {left}-* an earlier run left in {self._run_dir}")
        if self.mode == "root":
            taken = sorted(ns for ns in Netns().existing() if ns.startswith(f"{self.prefix}-"))
            if taken:
                raise DataPlaneError(
                    f"namespaces {', '.join(taken)} exist: another data plane uses the prefix {self.prefix}"
                )
        if not persist:
            atexit.register(self.down)
        try:
            self._build()
        except BaseException:
            self.down()
            raise
        return self

    def _build(self) -> None:
        t0 = time.monotonic()
        self._down = False
        self._save()  # before anything exists: prefix, mode, marker and every namespace name to come
        sandbox.make_sock_dir(self.sock_dir)
        if self.mode == "rootless":
            log = self._run_dir / "holder.log"
            self._state.holder = sandbox.start_holder(log, self._state.marker)
            self._save()
            sandbox.wait_holder(self._state.holder, log)
        self.progress(f"namespaces: {len(self.topo.namespaces)} ({self.prefix}-*, {self.mode})")
        topology.build(self._net, self.topo)
        topology.write_hosts_files(self._net, self.topo, self.stack.load_balancer.dns_name)
        nft.sync(self._net, self.stack, self.topo, self._rulesets)
        self.progress(f"network + security groups ready in {time.monotonic() - t0:.2f} s")
        self._backends.sync(self.stack, self.topo, self._net)
        self.progress(f"HAProxy ALB nodes: starting {len(self.topo.by_role('alb'))}")
        self._nodes.render(self.stack, self.topo, reload=False)
        self.progress(f"data plane up in {time.monotonic() - t0:.2f} s")

    def _rebuild(self, stack: Stack) -> None:
        """Everything anew, same prefix: for new subnets or nodes, or when the namespaces are gone."""
        state = self._state
        teardown(self._run_dir, state)
        self.stack = stack
        fresh = PlaneState(state.prefix, state.mode, state.marker, state.sock_dir, key_dir=state.key_dir)
        fresh.topology = topology.plan(stack, self.prefix)
        fresh.backend_kind, fresh.connect_timeout_s = state.backend_kind, state.connect_timeout_s
        fresh.retry_failed_requests = state.retry_failed_requests
        warnings = self._nodes.warnings
        self._use(fresh)
        self._nodes.warnings = warnings
        self._rulesets = {}
        self._build()

    def converge(self, stack: Stack) -> dict[str, float]:
        """Bring the running plane to ``stack``: hosts, rulesets, backends, HAProxy (hot reload)."""
        t0 = time.monotonic()
        repaired = self.repair()
        for fixed in repaired:
            self.progress(f"repaired: {fixed}")
        new = topology.plan(stack, self.prefix, topology.names_of(self.topo))
        same_net = new.segments == self.topo.segments and {h.ns: h for h in new.by_role("alb")} == {
            h.ns: h for h in self.topo.by_role("alb")
        }
        if not same_net:
            self.progress("subnets or ALB nodes changed: rebuilding the data plane")
            self._rebuild(stack)
            return {"total_s": time.monotonic() - t0, "rebuilt": 1.0, "repaired": float(len(repaired))}
        gone = [h for ns, h in self.topo.hosts.items() if ns not in new.hosts or new.hosts[ns] != h]
        added = [h for ns, h in new.hosts.items() if ns not in self.topo.hosts or self.topo.hosts[ns] != h]
        for host in gone:
            self._backends.forget(host.ns)
            self._rulesets.pop(host.ns, None)
        topology.remove_hosts(self._net, gone)
        old = self.stack
        self.stack, self._state.topology = stack, new
        self._save()  # the new names before their namespaces exist
        topology.build_hosts(self._net, new, added)
        topology.write_hosts_files(self._net, self.topo, self.stack.load_balancer.dns_name)
        # Open before closing (see staging): the old and the new rules and ports while HAProxy reloads, then
        # only the new ones.
        nft.sync(self._net, staging.widened(old, stack), self.topo, self._rulesets)
        t_net = time.monotonic()
        self._backends.sync(stack, new, self._net, keep_ports=True)
        reloaded = self._nodes.render(stack, new, reload=True)
        nft.sync(self._net, stack, self.topo, self._rulesets)
        self._backends.sync(stack, new, self._net)
        return {
            "total_s": time.monotonic() - t0,
            "network_s": t_net - t0,
            "hosts_added": float(len(added)),
            "hosts_removed": float(len(gone)),
            "nodes_reloaded": float(reloaded),
            "repaired": float(len(repaired)),
        }

    def repair(self) -> list[str]:
        """Restart what died (an ALB node, a backend), rebuild what vanished (a namespace, the rootless
        holder and with it everything); returns what it did, one line each."""
        if self._down:
            return []
        try:
            existing = self._net.existing()
        except HolderGone as exc:  # rootless: every namespace went with the holder
            self._rebuild(self.stack)
            return [f"{exc}: rebuilt the whole data plane"]
        if self.topo.router not in existing:
            self._rebuild(self.stack)
            return ["the router namespace was gone: rebuilt the whole data plane"]
        fixed: list[str] = []
        vanished = [h for h in self.topo.hosts.values() if h.ns not in existing]
        for host in vanished:
            self._forget_host(host)
            fixed.append(f"the namespace of {self._describe(host)} was gone: rebuilt it")
        if vanished:
            topology.build_hosts(self._net, self.topo, vanished)
        for host in self.topo.by_role("alb"):
            if host not in vanished and not self._nodes.answering(host):
                self._nodes.forget(host.ns)
                fixed.append(f"{self._describe(host)} did not answer: restarted it")
        for ns in self._backends.not_running(self.topo):
            self._backends.forget(ns)
            fixed.append(f"the backend of {self._describe(self.topo.hosts[ns])} was down: restarted it")
        if fixed:
            topology.write_hosts_files(self._net, self.topo, self.stack.load_balancer.dns_name)
            nft.sync(self._net, self.stack, self.topo, self._rulesets)
            self._backends.sync(self.stack, self.topo, self._net)
            self._nodes.render(self.stack, self.topo, reload=True)
        return fixed

    def _forget_host(self, host: Host) -> None:
        """Stop what ran in ``host``'s namespace and drop its router-side link, before it is made anew."""
        self._backends.forget(host.ns)
        self._nodes.forget(host.ns)
        self._rulesets.pop(host.ns, None)
        # The namespace lived on while something ran in it; its veth may still hang on the bridge.
        with contextlib.suppress(NetnsError):
            self._net.run([IP, "-n", self.topo.router, "link", "del", host.veth])

    def _describe(self, host: Host) -> str:
        if host.role == "alb":
            return f"ALB node {node_name(host)} ({host.ip})"
        if host.role == "client":
            return f"the client ({host.ip})"
        return f"{host.owner} ({host.ip})"

    def down(self) -> None:
        """Stop our processes (by PID), remove our namespaces and files. Safe to call any number of times."""
        if self._down:
            return
        self._down = True
        teardown(self._run_dir, self._state)
        # In place: the process table and the backends hold these very dicts.
        self._state.holder = None
        self._state.procs.clear()
        self._state.backend_args.clear()
        self._rulesets = {}
        self._nodes.configs.clear()

    # --- using it --------------------------------------------------------------------------------------

    def _run(self, ns: str, argv: Sequence[str], timeout: float) -> subprocess.CompletedProcess[str]:
        try:
            return subprocess.run(
                self._net.exec_argv(ns, argv), capture_output=True, text=True, timeout=timeout, check=False
            )
        except subprocess.TimeoutExpired as exc:
            raise DataPlaneTimeout(f"{argv[0]} did not finish within {timeout} s") from exc

    def client_process(
        self, argv: Sequence[str], log: Path, env: dict[str, str] | None = None
    ) -> subprocess.Popen[bytes]:
        """Start ``argv`` in the client namespace in the background; it carries the plane's marker, so
        tearing the plane down stops it too (the caller stops it first, by its PID)."""
        return procs.spawn(self._net.exec_argv(self.topo.client.ns, argv), log, self._state.marker, env)

    def client_exec(self, argv: Sequence[str], timeout: float = 30.0) -> subprocess.CompletedProcess[str]:
        """Run ``argv`` in the client namespace (where the ALB's name resolves); not checked."""
        return self._run(self.topo.client.ns, argv, timeout)

    def node_exec(
        self, node: str, argv: Sequence[str], timeout: float = 30.0
    ) -> subprocess.CompletedProcess[str]:
        """Run ``argv`` in ALB node ``node`` (a name from :attr:`alb_nodes`), which the targets' SG admits."""
        for host in self.topo.by_role("alb"):
            if node_name(host) == node:
                return self._run(host.ns, argv, timeout)
        known = ", ".join(n.name for n in self.alb_nodes)
        raise DataPlaneError(f"no ALB node {node!r}; known: {known}")

    def _listener_port(self, port: int | None) -> int:
        ports = sorted(lst.port for lst in self.stack.load_balancer.listeners)
        if not ports:
            raise DataPlaneError("the load balancer has no listener")
        if port is None:
            return 80 if 80 in ports else ports[0]
        if port not in ports:
            raise DataPlaneError(f"no listener on port {port}; listeners: {', '.join(map(str, ports))}")
        return port

    def url(self, path: str, port: int | None = None) -> str:
        if not path.startswith("/"):
            raise DataPlaneError(f"path {path!r} must start with '/'")
        port = self._listener_port(port)
        scheme = "https" if self.stack.listener(port).protocol == "HTTPS" else "http"
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
        url = self.url(path, port)
        proc = self.client_exec(
            client.curl_argv(url, method, host, headers, cookie_jar, timeout), timeout + 5
        )
        if proc.returncode != 0:
            detail = proc.stderr.strip().replace("\n", "; ")
            raise DataPlaneError(f"curl {url} failed (rc {proc.returncode}): {detail}")
        return client.parse_curl_output(proc.stdout)

    def probe(self, owner: str, port: int = 80, timeout: float = 1.0) -> client.Reach:
        """A direct attempt from the internet: "open", "blocked" (dropped: timed out) or "refused"."""
        target = self.targets[self.resolve_owner(owner)]
        proc = self.client_exec(client.probe_argv(target.ip, port, timeout), timeout + 10)
        return client.probe_result(proc.returncode, proc.stderr, f"{target.ip}:{port}")

    def reach(self, owner: str, port: int = 80) -> bool:
        return self.probe(owner, port) == "open"

    def fail(self, owner: str, mode: str = "unhealthy") -> None:
        """``unhealthy`` (health checks fail), ``dead`` (stops listening) or ``slow:MS``."""
        self._backends.set_mode(self.resolve_owner(owner), mode)

    def heal(self, owner: str) -> None:
        self._backends.set_mode(self.resolve_owner(owner), "healthy")

    def health(self) -> dict[str, dict[str, dict[str, str]]]:
        """target group name -> "target:port" -> ALB node name -> health word, as each node's checks see it.

        A node whose HAProxy does not answer reports ``node-down`` for every target (never raises)."""
        stats = {node_name(h): self._nodes.server_health(h) for h in self.topo.by_role("alb")}
        return health.per_node(self.stack, stats)

    def target_health(self) -> dict[str, dict[str, str]]:
        """tg name -> "target:port" -> the word every answering node agrees on, else "mixed"."""
        return health.combined(self.health())

    def requests(
        self, cursor: requestlog.Cursor | None = None, tail: int = 200
    ) -> tuple[list[requestlog.LoggedRequest], requestlog.Cursor]:
        """Every request the ALB nodes served since ``cursor`` (without one: the last ``tail``), oldest
        first, whoever sent it; and the cursor for the next call (a dict, JSON-safe)."""
        logs = {node_name(h): self._nodes.log_path(h) for h in self.topo.by_role("alb")}
        return requestlog.read(logs, self.stack, cursor, tail)

    def wait_health(self, want: Callable[[dict[str, dict[str, str]]], bool], timeout: float = 30.0) -> float:
        """Poll target health until ``want`` holds; returns the seconds it took."""
        t0 = time.monotonic()
        while True:
            seen = self.target_health()
            if want(seen):
                return time.monotonic() - t0
            if time.monotonic() - t0 > timeout:
                raise DataPlaneTimeout(f"target health not as wanted after {timeout} s: {seen}")
            time.sleep(0.1)

    def wait_all_healthy(self, timeout: float = 30.0) -> float:
        return self.wait_health(
            lambda h: all(w in ("healthy", "unavailable") for rows in h.values() for w in rows.values()),
            timeout,
        )
