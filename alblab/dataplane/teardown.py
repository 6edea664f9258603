"""Remove a plane from its saved state alone: no AWS state, no live object, any partial state, any number of
times. Processes go first (by PID: recorded ones, then any carrying the plane's marker), then the
namespaces (root: ``ip netns del``; rootless: the holder, last, takes them all with it), then files.
"""

from __future__ import annotations

import contextlib
import secrets
import shutil
from pathlib import Path

from alblab import pids
from alblab.dataplane import procs, saved
from alblab.dataplane.errors import DataPlaneError
from alblab.dataplane.netns import IP, NETNS_ETC, Netns
from alblab.dataplane.procs import ProcId
from alblab.dataplane.sandbox import ROOT_SOCK_DIR
from alblab.dataplane.saved import PlaneState

OWNER_SEP = "@"


def hosts_dir(run_dir: Path, state: PlaneState) -> Path:
    """Where the per-namespace hosts files live: /etc/netns as root, the run dir rootless."""
    return NETNS_ETC if state.mode == "root" else Path(run_dir) / "netns"


def teardown(run_dir: Path, state: PlaneState) -> None:
    net = Netns(state.holder, hosts_dir(run_dir, state))
    procs.stop_many([p.id for p in state.procs.values()])
    if state.marker:
        # Started but not recorded (an interrupt in between), or a reload's old HAProxy worker.
        procs.stop_many([p for p in procs.marked(state.marker) if p != state.holder])
    ours = _namespaces(net, state)
    # Whatever still runs in our namespaces was started by us (e.g. nginx, whose titles hide the marker).
    procs.stop_many(
        [ProcId(pid, start) for ns in ours for pid in net.pids(ns) if (start := procs.start_time(pid))]
    )
    if state.mode == "root":
        for ns in sorted(ours):
            net.run([IP, "netns", "del", ns])  # a failure stops here: plane.json stays for the next try
        for ns in ours | set(state.namespaces):
            net.remove_hosts_file(ns)
    else:
        if state.holder is not None:
            procs.stop_many([state.holder])  # the last reference to its namespaces: they go with it
        shutil.rmtree(hosts_dir(run_dir, state), ignore_errors=True)
    shutil.rmtree(state.sock_dir, ignore_errors=True)
    with contextlib.suppress(OSError):
        Path(state.sock_dir).parent.rmdir()  # only when no other plane of this user has sockets there
    (Path(run_dir) / "procs.json").unlink(missing_ok=True)  # left by versions before rootless mode
    saved.remove(run_dir)


def teardown_saved(run_dir: Path) -> str | None:
    """Tear down the plane saved in ``run_dir``; returns its prefix, or None when there was none."""
    state = saved.load(Path(run_dir))
    if state is None:
        return None
    teardown(Path(run_dir), state)
    return state.prefix


def _namespaces(net: Netns, state: PlaneState) -> set[str]:
    """Our namespaces that exist now: the saved names, and any with our prefix (up() refuses one in use)."""
    try:
        existing = net.existing()
    except DataPlaneError:
        return set()  # rootless and the holder is gone: nothing is reachable by name any more
    return {ns for ns in existing if ns.startswith(f"{state.prefix}-") or ns in state.namespaces}


def marker_for(owner: str) -> str:
    """A new plane's marker: random, ending with ``@owner`` when it has one (see :func:`teardown_owned`)."""
    token = secrets.token_hex(8)
    return f"{token}{OWNER_SEP}{owner}" if owner else token


def owned_processes(owner: str) -> list[int]:
    """PIDs of the live processes of the planes of ``owner`` (by their marker)."""
    if not owner:
        return []
    head, tail = f"{procs.MARKER_VAR}=".encode(), f"{OWNER_SEP}{owner}".encode()
    return pids.with_environ(lambda env: any(e.startswith(head) and e.endswith(tail) for e in env))


def teardown_owned(owner: str) -> list[str]:
    """Remove the planes of ``owner`` whose plane.json is lost: every process whose marker names ``owner``
    and, as root, the namespaces they run in with the rest of their plane (the same ``<prefix>-``), their
    hosts files and socket directories. Rootless, the holder carries the marker: with it go its namespaces.
    Returns what it removed, in words."""
    marked = owned_processes(owner)
    if not marked:
        return []
    host = Netns()
    prefixes: set[str] = set()
    for pid in marked:
        with contextlib.suppress(DataPlaneError):
            prefixes |= {ns.rsplit("-", 1)[0] for ns in host.run([IP, "netns", "identify", str(pid)]).split()}
    try:
        ours = sorted(ns for ns in host.existing() if ns.rsplit("-", 1)[0] in prefixes)
    except DataPlaneError:
        ours = []
    inside = {pid for ns in ours for pid in host.pids(ns)}
    procs.stop_many([ProcId(pid, start) for pid in set(marked) | inside if (start := procs.start_time(pid))])
    done = [f"stopped {len(set(marked) | inside)} data plane processes marked as {owner}'s"]
    failed = []
    for ns in ours:
        try:
            host.delete(ns)
        except DataPlaneError as exc:
            failed.append(f"{ns} ({exc})")
    for prefix in prefixes:
        shutil.rmtree(ROOT_SOCK_DIR / prefix, ignore_errors=True)
    if failed:
        raise DataPlaneError(f"{done[0]}, but could not remove the namespaces {', '.join(failed)}")
    if ours:
        done.append(f"removed the namespaces they ran in: {', '.join(ours)}")
    return done
