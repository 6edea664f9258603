"""Read-only records of a plane for its users (the CLI, the lab): no namespace names, nothing to run."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from alblab.dataplane.errors import DataPlaneError
from alblab.dataplane.nodes import node_name
from alblab.dataplane.topology import Topology
from alblab.model import Stack


@dataclass(frozen=True)
class AlbNode:
    name: str  # "n0", "n1", ...: the key of this node in DataPlane.health()
    ip: str
    az: str


@dataclass(frozen=True)
class TargetHost:
    """A host standing for an instance or an IP target, reached at ``ip``."""

    owner: str  # instance id, or the IP target's address
    ip: str
    role: Literal["instance", "iptarget"]
    az: str
    name: str  # the instance's Name tag ("" for IP targets and untagged instances)


def alb_nodes(topo: Topology) -> list[AlbNode]:
    return [AlbNode(node_name(h), h.ip, h.az) for h in topo.by_role("alb")]


def targets(stack: Stack, topo: Topology) -> dict[str, TargetHost]:
    out: dict[str, TargetHost] = {}
    for host in topo.hosts.values():
        if host.role in ("instance", "iptarget"):
            inst = stack.instances.get(host.owner)
            out[host.owner] = TargetHost(host.owner, host.ip, host.role, host.az, inst.name if inst else "")
    return out


def resolve_owner(hosts: dict[str, TargetHost], name: str) -> str:
    """An instance id, its Name tag, the tag's suffix (``web-a`` -> ``a``), or a target's IP -> owner."""
    if name in hosts:
        return name
    for pick in (
        lambda h: name in (h.name, h.ip),
        lambda h: bool(h.name) and h.name.endswith(f"-{name}"),
    ):
        found = [h.owner for h in hosts.values() if pick(h)]
        if len(found) == 1:
            return found[0]
        if len(found) > 1:
            raise DataPlaneError(f"{name!r} names several targets ({', '.join(sorted(found))}): use an id")
    known = ", ".join(
        f"{h.owner} ({h.name})" if h.name else h.owner for h in sorted(hosts.values(), key=_key)
    )
    raise DataPlaneError(f"no instance or IP target {name!r} here; known: {known or 'none'}")


def _key(host: TargetHost) -> tuple[str, str]:
    return (host.name or "~", host.owner)
