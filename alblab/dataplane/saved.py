"""The plane's saved state, ``<run_dir>/plane.json``: everything ``teardown_saved`` needs, nothing else.

It is written before the thing it describes is created (the holder's PID is the exception: it exists only
once the holder does, and is written right then, before any namespace), and always atomically (temporary
file + ``os.replace``), so an interrupt at any point leaves a whole file that names everything to remove.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from alblab.dataplane import topology
from alblab.dataplane.errors import DataPlaneError
from alblab.dataplane.procs import Proc, ProcId
from alblab.dataplane.sandbox import ROOT_SOCK_DIR, Mode
from alblab.dataplane.topology import Host, Topology

FILE = "plane.json"


@dataclass
class PlaneState:
    prefix: str  # every namespace of the plane is "<prefix>-<something>"
    mode: Mode
    marker: str  # ALBLAB_PLANE=<marker> in the environment of every process the plane starts
    sock_dir: str
    holder: ProcId | None = None  # rootless only
    topology: Topology | None = None  # every namespace the plane makes, saved before it is made
    procs: dict[str, Proc] = field(default_factory=dict)
    key_dir: str = ""
    connect_timeout_s: float = 10.0  # HAProxy's to targets (ALB: 10 s; tests lower it)
    backend_kind: str = "standin"
    retry_failed_requests: bool = False  # HAProxy retries elsewhere (ALB does not): chosen at creation
    backend_args: dict[str, list[str]] = field(default_factory=dict)  # ns -> argv of its running backend

    @property
    def router(self) -> str:
        return f"{self.prefix}-r"

    @property
    def namespaces(self) -> list[str]:
        return [self.router, *(self.topology.hosts if self.topology else ())]


def path(run_dir: Path) -> Path:
    return Path(run_dir) / FILE


def save(run_dir: Path, state: PlaneState) -> None:
    target = path(run_dir)
    tmp = target.with_name(f".{FILE}.{os.getpid()}.tmp")
    data = asdict(state)
    data["topology"] = topology.to_json(state.topology) if state.topology else None
    tmp.write_text(json.dumps(data, indent=1) + "\n")
    os.replace(tmp, target)


def load(run_dir: Path) -> PlaneState | None:
    """The saved state, or None when nothing was ever created in ``run_dir``."""
    file = path(run_dir)
    try:
        raw = json.loads(file.read_text())
        if "mode" not in raw:
            return _before_rootless(raw)
        holder = raw.pop("holder", None)
        procs = raw.pop("procs", {})
        topo = raw.pop("topology", None)
        return PlaneState(
            **raw,
            holder=ProcId(**holder) if holder else None,
            procs={name: Proc(**p) for name, p in procs.items()},
            topology=topology.from_json(topo) if topo else None,
        )
    except FileNotFoundError:
        return None
    except (OSError, ValueError, TypeError, KeyError) as exc:
        raise DataPlaneError(f"{file} is unreadable ({exc}); it was not written by this version") from exc


def _before_rootless(raw: dict[str, Any]) -> PlaneState:
    """A plane saved before rootless mode: root, no marker, only its namespace names (its PIDs in
    procs.json have no start time and are not trusted; root teardown kills what runs in its namespaces)."""
    prefix = str(raw["prefix"])
    topo = Topology(prefix)
    for owner, ns in dict(raw.get("names", {})).items():
        topo.hosts[ns] = Host(ns, "client", owner, "", "", "")
    return PlaneState(prefix, "root", "", str(ROOT_SOCK_DIR / prefix), topology=topo)


def remove(run_dir: Path) -> None:
    path(run_dir).unlink(missing_ok=True)
