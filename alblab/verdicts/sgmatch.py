"""One security-group rule against one peer: does it cover the protocol/port, does it name the peer?

A rule's peer is a CIDR (IPv4 or IPv6), a referenced SG (the peer ENI must be a member of it) or a
managed prefix list. Prefix lists are not in the model (their entries need another API call), so a
prefix-list rule is neither a yes nor a no: it is ``UNKNOWN`` and the caller must say so.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from enum import Enum
from functools import lru_cache

from alblab.model import SgRule
from alblab.verdicts.portranges import ALL_PORTS, PortRange

_PROTOCOL_NUMBERS = {"6": "tcp", "17": "udp", "1": "icmp", "58": "icmpv6", "all": "-1"}
PORTLESS = frozenset({"icmp", "icmpv6"})
PROTOCOLS = frozenset({"tcp", "udp", *PORTLESS})


class Match(Enum):
    NO = "no"
    YES = "yes"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class Peer:
    """The other end of a connection as an SG sees it: its IP (may be empty) and its SG memberships."""

    ip: str
    groups: frozenset[str]
    label: str


def normalize_protocol(protocol: str) -> str:
    value = str(protocol).lower()
    return _PROTOCOL_NUMBERS.get(value, value)


def rule_ports(rule: SgRule, protocol: str) -> tuple[PortRange, ...]:
    """The ports of ``protocol`` this rule covers; ``(ALL_PORTS,)`` for "all" and for ICMP.

    ICMP has no ports: the from/to fields of an ICMP rule hold a type and code, which this evaluator
    does not distinguish, so any ICMP rule covers "the" ICMP traffic (the answer errs towards allowed,
    which is the cautious side for "must be denied" checks).
    """
    rule_protocol = normalize_protocol(rule.protocol)
    if rule_protocol == "-1":
        return (ALL_PORTS,)
    if rule_protocol != protocol:
        return ()
    if protocol in PORTLESS:
        return (ALL_PORTS,)
    if rule.from_port is None or rule.to_port is None or (rule.from_port, rule.to_port) == (-1, -1):
        return (ALL_PORTS,)
    return ((rule.from_port, rule.to_port),)


def covers(rule: SgRule, protocol: str, port: int) -> bool:
    return any(lo <= port <= hi for lo, hi in rule_ports(rule, protocol))


@lru_cache(maxsize=1024)
def _network(cidr: str) -> ipaddress.IPv4Network | ipaddress.IPv6Network:
    return ipaddress.ip_network(cidr, strict=False)


@lru_cache(maxsize=1024)
def _address(ip: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(ip)
    except ValueError:
        return None


def names_peer(rule: SgRule, peer: Peer) -> Match:
    """Does the rule's peer field (CIDR / referenced SG / prefix list) include ``peer``?"""
    if rule.referenced_group_id is not None:
        return Match.YES if rule.referenced_group_id in peer.groups else Match.NO
    if rule.prefix_list_id is not None:
        return Match.UNKNOWN
    address = _address(peer.ip)
    cidr = rule.cidr_ipv4 if rule.cidr_ipv4 is not None else rule.cidr_ipv6
    if cidr is None or address is None:
        return Match.NO
    network = _network(cidr)
    # ipaddress never puts a v4 address in a v6 network (nor ::ffff:a.b.c.d in a v4 one), like SGs.
    return Match.YES if address in network else Match.NO


def rule_peer_text(rule: SgRule) -> str:
    return rule.referenced_group_id or rule.prefix_list_id or rule.cidr_ipv4 or rule.cidr_ipv6 or "(no peer)"


def rule_text(rule: SgRule) -> str:
    """e.g. ``tcp/80 from sg-123``, ``tcp/1000-2000 to 10.0.0.0/16``, ``all traffic from 0.0.0.0/0``."""
    protocol = normalize_protocol(rule.protocol)
    if protocol == "-1":
        what = "all traffic"
    elif protocol in PORTLESS:
        what = protocol
    else:
        ranges = rule_ports(rule, protocol)
        lo, hi = ranges[0]
        what = (
            f"{protocol}/all"
            if (lo, hi) == ALL_PORTS
            else f"{protocol}/{lo}"
            if lo == hi
            else f"{protocol}/{lo}-{hi}"
        )
    direction = "from" if rule.direction == "ingress" else "to"
    return f"{what} {direction} {rule_peer_text(rule)}"
