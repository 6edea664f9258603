"""Remove a plane from its saved state alone: no AWS state, no live object, any partial state, any number of
times. Processes go first (by PID: recorded ones, then any carrying the plane's marker), then the
namespaces (root: ``ip netns del``; rootless: the holder, last, takes them all with it), then files.
"""

from __future__ import annotations

import contextlib
import shutil
from pathlib import Path

from alblab.dataplane import procs, saved
from alblab.dataplane.errors import DataPlaneError
from alblab.dataplane.netns import IP, NETNS_ETC, Netns
from alblab.dataplane.procs import ProcId
from alblab.dataplane.saved import PlaneState


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
