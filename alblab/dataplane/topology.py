"""The VPC as network namespaces, planned from the model (pure) and then built with ``ip -batch``.

One router namespace holds one bridge per segment (each subnet, each on-prem /24, the "internet"); it
forwards between them and has no default route and no NAT, so nothing can leave the sandbox. Every other
namespace is one host on one segment: an ALB node, an instance (its API-assigned private IP), an on-prem IP
target, or the client standing for the internet.
"""

from __future__ import annotations

import dataclasses
import ipaddress
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from alblab.dataplane.netns import Netns
from alblab.model import Stack

Role = Literal["alb", "instance", "iptarget", "client"]
CLIENT_CIDR = "198.51.100.0/24"  # TEST-NET-2: cannot be anyone's real address
CLIENT_IP = "198.51.100.7"


@dataclass(frozen=True)
class Segment:
    key: str  # subnet id, "onprem:<cidr>" or "internet"
    bridge: str  # interface name inside the router (<= 15 chars)
    cidr: str
    router_ip: str


@dataclass(frozen=True)
class Host:
    ns: str
    role: Role
    owner: str  # instance id, subnet id (ALB node), target IP, or "client"
    ip: str
    segment: str  # Segment.key
    veth: str  # router-side interface name
    az: str = ""
    security_group_ids: tuple[str, ...] = ()


@dataclass
class Topology:
    prefix: str
    segments: dict[str, Segment] = field(default_factory=dict)
    hosts: dict[str, Host] = field(default_factory=dict)  # by ns

    @property
    def router(self) -> str:
        return f"{self.prefix}-r"

    @property
    def namespaces(self) -> list[str]:
        return [self.router, *self.hosts]

    def by_role(self, role: Role) -> list[Host]:
        return [h for h in self.hosts.values() if h.role == role]

    def by_owner(self, owner: str) -> Host:
        for host in self.hosts.values():
            if host.owner == owner:
                return host
        raise KeyError(f"no host for {owner!r}")

    @property
    def client(self) -> Host:
        return self.by_role("client")[0]

    @property
    def alb_ips(self) -> list[str]:
        return [h.ip for h in self.by_role("alb")]


def _usable(cidr: str) -> list[ipaddress.IPv4Address]:
    return list(ipaddress.IPv4Network(cidr).hosts())


def ip_targets(stack: Stack) -> set[str]:
    """Registered IP targets that are not an instance's address: each becomes a host of its own."""
    instance_ips = {i.private_ip for i in stack.instances.values()}
    return {
        t.id for tg in stack.target_groups.values() if tg.target_type == "ip" for t in tg.targets
    } - instance_ips


def plan(stack: Stack, prefix: str, names: Mapping[str, str] | None = None) -> Topology:
    """The namespaces and links for ``stack``. ``names`` (owner -> ns) keeps existing hosts' names stable."""
    topo = Topology(prefix)
    used_names = dict(names or {})

    def ns_name(kind: str, owner: str) -> str:
        if owner in used_names:
            return used_names[owner]
        taken = set(used_names.values())
        n = 0
        while f"{prefix}-{kind}{n}" in taken:
            n += 1
        used_names[owner] = f"{prefix}-{kind}{n}"
        return used_names[owner]

    def add_segment(key: str, cidr: str, router_ip: str) -> Segment:
        seg = Segment(key, f"b{len(topo.segments)}", cidr, router_ip)
        topo.segments[key] = seg
        return seg

    def add_host(host: Host) -> None:
        topo.hosts[host.ns] = host

    def veth(ns: str) -> str:
        # Derived from the (stable) namespace name, so a host added by converge() never clashes.
        return "v" + ns.rsplit("-", 1)[1]

    taken_ips: set[str] = {i.private_ip for i in stack.instances.values()} | ip_targets(stack)
    for subnet in sorted(stack.subnets.values(), key=lambda s: s.cidr_ipv4):
        # AWS reserves the first address of every subnet for the VPC router.
        add_segment(subnet.id, subnet.cidr_ipv4, str(_usable(subnet.cidr_ipv4)[0]))
    add_segment("internet", CLIENT_CIDR, "198.51.100.1")
    client_ns = ns_name("c", "client")
    add_host(Host(client_ns, "client", "client", CLIENT_IP, "internet", veth(client_ns)))

    lb = stack.load_balancer
    for subnet_id in lb.subnet_ids:
        subnet = stack.subnets[subnet_id]
        # The highest free address: never an instance's (those are handed out from the bottom).
        ip = next(str(a) for a in reversed(_usable(subnet.cidr_ipv4)) if str(a) not in taken_ips)
        taken_ips.add(ip)
        ns = ns_name("n", subnet_id)
        add_host(
            Host(
                ns, "alb", subnet_id, ip, subnet_id, veth(ns), subnet.availability_zone, lb.security_group_ids
            )
        )
    for inst in stack.instances.values():
        if (
            inst.state not in ("running", "pending")
            or inst.subnet_id not in topo.segments
            or not inst.private_ip
        ):
            continue
        ns = ns_name("i", inst.id)
        add_host(
            Host(
                ns,
                "instance",
                inst.id,
                inst.private_ip,
                inst.subnet_id,
                veth(ns),
                inst.availability_zone,
                inst.security_group_ids,
            )
        )
    for ip in sorted(ip_targets(stack), key=ipaddress.ip_address):
        addr = ipaddress.ip_address(ip)
        segment = next((s for s in topo.segments.values() if addr in ipaddress.ip_network(s.cidr)), None)
        if segment is None:
            # On-prem (reached over a VPN / Direct Connect): its own /24 behind the router, no SG.
            cidr = str(ipaddress.ip_network(f"{ip}/24", strict=False))
            key = f"onprem:{cidr}"
            if key not in topo.segments:
                router_ip = next(str(a) for a in _usable(cidr) if str(a) not in taken_ips)
                add_segment(key, cidr, router_ip)
            segment = topo.segments[key]
        ns = ns_name("p", ip)
        add_host(Host(ns, "iptarget", ip, ip, segment.key, veth(ns), "all"))
    return topo


def names_of(topo: Topology) -> dict[str, str]:
    return {h.owner: h.ns for h in topo.hosts.values()}


def to_json(topo: Topology) -> dict[str, Any]:
    return dataclasses.asdict(topo)


def from_json(data: Mapping[str, Any]) -> Topology:
    hosts = {
        ns: Host(**{**h, "security_group_ids": tuple(h["security_group_ids"])})
        for ns, h in data["hosts"].items()
    }
    segments = {key: Segment(**seg) for key, seg in data["segments"].items()}
    return Topology(data["prefix"], segments, hosts)


# --- building --------------------------------------------------------------------------------------


def _prefixlen(seg: Segment) -> int:
    return ipaddress.ip_network(seg.cidr).prefixlen


def build_router(net: Netns, topo: Topology) -> None:
    router = topo.router
    net.add([router])
    cmds = ["link set lo up"]
    for seg in topo.segments.values():
        cmds += [
            f"link add {seg.bridge} type bridge",
            f"addr add {seg.router_ip}/{_prefixlen(seg)} dev {seg.bridge}",
            f"link set {seg.bridge} up",
        ]
    net.batch(cmds, router)
    # Forwarding on in the router namespace only; bridged frames must not pass the host's br_netfilter hooks.
    net.sh(
        router,
        "echo 1 > /proc/sys/net/ipv4/ip_forward; "
        'for f in /proc/sys/net/bridge/bridge-nf-call-*; do [ -w "$f" ] && echo 0 > "$f"; done; true',
    )


def build_hosts(net: Netns, topo: Topology, hosts: list[Host]) -> None:
    """Namespaces + a veth from the router's bridge to each host's eth0, address and default route."""
    if not hosts:
        return
    net.add([h.ns for h in hosts])
    router_cmds = []
    for h in hosts:
        seg = topo.segments[h.segment]
        router_cmds += [
            f"link add {h.veth} type veth peer name eth0 netns {h.ns}",
            f"link set {h.veth} master {seg.bridge} up",
        ]
    net.batch(router_cmds, topo.router)
    for h in hosts:
        seg = topo.segments[h.segment]
        net.batch(
            [
                "link set lo up",
                f"addr add {h.ip}/{_prefixlen(seg)} dev eth0",
                "link set eth0 up",
                # The default route points at the router, which itself knows only its own segments.
                f"route add default via {seg.router_ip}",
            ],
            h.ns,
        )


def build(net: Netns, topo: Topology) -> None:
    build_router(net, topo)
    build_hosts(net, topo, list(topo.hosts.values()))


def write_hosts_files(net: Netns, topo: Topology, alb_name: str) -> None:
    """The ALB's DNS name resolves to its node IPs in the client and the instances, as Route 53 would."""
    for host in topo.hosts.values():
        if host.role in ("client", "instance"):
            net.write_hosts_file(host.ns, {alb_name: topo.alb_ips})


def remove_hosts(net: Netns, hosts: list[Host]) -> None:
    for h in hosts:
        net.delete(h.ns)  # deleting the namespace deletes its veth pair too
