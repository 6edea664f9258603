"""Security groups as an nftables ruleset per namespace (pure render + atomic apply).

A host's ENI carries one or more SGs; like EC2, the rules of all of them are OR-ed. Ingress rules go to the
input chain, egress rules to the output chain; both are stateful (replies always pass) with policy drop.
A rule that references an SG matches the private IPs of that SG's members (instances and ALB nodes).
"""

from __future__ import annotations

import ipaddress
import json
from collections.abc import Iterable, Mapping

from alblab.dataplane import tools
from alblab.dataplane.netns import Netns
from alblab.dataplane.topology import Topology
from alblab.model import SecurityGroup, SgRule, Stack

TABLE = "alblab_sg"
_ANY = {"0.0.0.0/0", "::/0"}


def _comment(text: str) -> str:
    # nft comments are quoted strings of at most 128 bytes; keep them printable and quote-free.
    clean = "".join(c if c.isprintable() and c not in '"\\' else "_" for c in text)
    return json.dumps(clean.encode()[:120].decode(errors="ignore"))


def _proto_match(rule: SgRule, family: str) -> str | None:
    """The l4 part of a rule, or None when the rule cannot match this address family (icmp vs ip6)."""
    proto = rule.protocol.lower()
    all_ports = rule.from_port in (None, -1) and rule.to_port in (None, -1)
    if proto in ("-1", "all"):
        return ""
    if proto in ("tcp", "udp", "6", "17"):
        name = {"6": "tcp", "17": "udp"}.get(proto, proto)
        if all_ports:
            return f"meta l4proto {name}"
        low, high = rule.from_port, rule.to_port if rule.to_port is not None else rule.from_port
        return f"{name} dport {low}" if low == high else f"{name} dport {low}-{high}"
    if proto in ("icmp", "1"):
        if family != "ip":
            return None
        if rule.from_port in (None, -1):
            return "meta l4proto icmp"
        code = "" if rule.to_port in (None, -1) else f" icmp code {rule.to_port}"
        return f"icmp type {rule.from_port}{code}"
    if proto in ("icmpv6", "58"):
        if family != "ip6":
            return None
        if rule.from_port in (None, -1):
            return "meta l4proto ipv6-icmp"
        code = "" if rule.to_port in (None, -1) else f" icmpv6 code {rule.to_port}"
        return f"icmpv6 type {rule.from_port}{code}"
    return f"meta l4proto {proto}"


def _addr_matches(rule: SgRule, members: Mapping[str, set[str]], direction: str) -> list[tuple[str, str]]:
    """(family, address match) pairs; empty when the rule matches no address at all (e.g. empty SG)."""
    key = "saddr" if direction == "ingress" else "daddr"
    out: list[tuple[str, str]] = []
    for cidr, family in ((rule.cidr_ipv4, "ip"), (rule.cidr_ipv6, "ip6")):
        if cidr:
            out.append(
                (
                    family,
                    f"meta nfproto {'ipv4' if family == 'ip' else 'ipv6'}"
                    if cidr in _ANY
                    else f"{family} {key} {cidr}",
                )
            )
    if rule.referenced_group_id:
        ips = members.get(rule.referenced_group_id, set())
        v4 = sorted((ip for ip in ips if ipaddress.ip_address(ip).version == 4), key=ipaddress.ip_address)
        v6 = sorted((ip for ip in ips if ipaddress.ip_address(ip).version == 6), key=ipaddress.ip_address)
        if v4:
            out.append(("ip", f"ip {key} {{ {', '.join(v4)} }}"))
        if v6:
            out.append(("ip6", f"ip6 {key} {{ {', '.join(v6)} }}"))
    return out


def render_rule(sg: SecurityGroup, rule: SgRule, members: Mapping[str, set[str]]) -> list[str]:
    label = f"{sg.id} {rule.direction} {rule.protocol} {rule.from_port}-{rule.to_port}"
    if rule.prefix_list_id:
        # Prefix list contents are not in the model: nothing is allowed for it (fail closed, say so).
        return [f"# {label} prefix list {rule.prefix_list_id}: not resolved, matches nothing"]
    addrs = _addr_matches(rule, members, rule.direction)
    if not addrs:
        return [f"# {label} -> {rule.referenced_group_id}: no members, matches nothing"]
    lines = []
    for family, addr in addrs:
        proto = _proto_match(rule, family)
        if proto is None:
            continue
        match = " ".join(part for part in (addr, proto) if part)
        lines.append(
            f"{match} accept comment {_comment(label + (' ' + rule.description if rule.description else ''))}"
        )
    return lines


def _chain(name: str, hook: str, base: list[str], rules: list[str]) -> list[str]:
    body = [f"type filter hook {hook} priority filter; policy drop;", *base, *rules]
    return [f"    chain {name} {{", *(f"        {line}" for line in body), "    }"]


def render_ruleset(sg_list: Iterable[SecurityGroup], members: Mapping[str, set[str]]) -> str:
    """The whole nft script for one namespace whose ENI carries ``sg_list``.

    The script deletes and re-creates the table in ONE transaction (``nft -f``), so a re-render never
    leaves a moment with no rules or with the old and new rules mixed.
    """
    ingress: list[str] = []
    egress: list[str] = []
    for sg in sorted(sg_list, key=lambda g: g.id):
        for rule in sg.ingress:
            ingress += render_rule(sg, rule, members)
        for rule in sg.egress:
            egress += render_rule(sg, rule, members)
    stateful = ["ct state established,related accept", "ct state invalid drop"]
    lines = [
        f"table inet {TABLE}",  # creates it if missing, so the delete below never fails
        f"delete table inet {TABLE}",
        f"table inet {TABLE} {{",
        *_chain("input", "input", ['iif "lo" accept', *stateful], ingress),
        *_chain("output", "output", ['oif "lo" accept', *stateful], egress),
        "}",
    ]
    return "\n".join(lines) + "\n"


def members_by_sg(enis: Iterable[tuple[str, tuple[str, ...]]]) -> dict[str, set[str]]:
    """(ip, sg ids) of every ENI -> sg id -> member IPs."""
    members: dict[str, set[str]] = {}
    for ip, sg_ids in enis:
        for sg_id in sg_ids:
            members.setdefault(sg_id, set()).add(ip)
    return members


def sync(net: Netns, stack: Stack, topo: Topology, applied: dict[str, str]) -> None:
    """Every host's ruleset from the SGs on its ENI; loaded where it differs from ``applied`` (ns -> text)."""
    members = members_by_sg((h.ip, h.security_group_ids) for h in topo.hosts.values() if h.security_group_ids)
    for host in topo.hosts.values():
        if not host.security_group_ids:
            continue  # client, on-prem and IP targets: no ENI, no SG
        groups = [stack.security_groups[g] for g in host.security_group_ids if g in stack.security_groups]
        ruleset = render_ruleset(groups, members)
        if applied.get(host.ns) != ruleset:
            apply(net, host.ns, ruleset)
            applied[host.ns] = ruleset


def apply(net: Netns, ns: str, ruleset: str) -> None:
    net.exec(ns, [tools.path("nft"), "-f", "-"], stdin=ruleset)
