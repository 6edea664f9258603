"""Can source S open a connection to instance I on port P, by the security groups alone?

SGs are stateful, so a connection S -> I:P is allowed iff
  (a) some ingress rule of one of I's SGs admits S for the protocol/port (CIDR containing S's IP, or
      a referenced SG that S's ENI is a member of), and
  (b) when S is an ENI in the VPC (a ``GroupSource``: an ALB node, another instance), some egress rule
      of one of S's SGs admits I (CIDR containing I's IP, or a referenced SG I is a member of).
Replies ride on the connection-tracking entry; neither I's egress nor S's ingress matters.
The internet has no SG, so an ``InternetSource`` has no egress side.

Prefix-list rules are never taken as a yes: when only a prefix list could admit the traffic the
verdict is "not allowed" with ``unknown=True`` and a reason naming the list.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from typing import Literal

from alblab.model import SecurityGroup, SgRule, Stack
from alblab.verdicts import portranges
from alblab.verdicts.portranges import PortRange
from alblab.verdicts.sgmatch import (
    PORTLESS,
    PROTOCOLS,
    Match,
    Peer,
    covers,
    names_peer,
    normalize_protocol,
    rule_peer_text,
    rule_ports,
    rule_text,
)


@dataclass(frozen=True)
class InternetSource:
    """A client outside the VPC: no SG of its own, only its address counts."""

    ip: str


@dataclass(frozen=True)
class GroupSource:
    """An ENI inside the VPC that is a member of ``security_group_id`` (``ip`` may be "" when unknown).

    When the group is one of the ALB's SGs (or ``ip`` is one of the ``alb_node_ips``) the source is
    an ALB node, and ALB nodes carry *all* of the load balancer's SGs; when ``ip`` is an instance's
    private IP, that instance's SGs count too.
    """

    security_group_id: str
    ip: str = ""


Source = InternetSource | GroupSource


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    reason: str
    unknown: bool = False  # a prefix-list rule might admit the traffic; it was not evaluated


@dataclass(frozen=True)
class OpenPorts:
    """Ports of one protocol on which ``source`` may connect to an instance."""

    protocol: str
    ranges: tuple[PortRange, ...]
    unknown: tuple[PortRange, ...] = ()  # only a prefix-list rule could open these

    def __contains__(self, port: object) -> bool:
        return isinstance(port, int) and portranges.contains(self.ranges, port)

    @property
    def count(self) -> int:
        return portranges.size(self.ranges)

    def describe(self) -> str:
        text = f"{self.protocol}: {portranges.describe(self.ranges)}"
        if self.unknown:
            text += f" (unknown, prefix lists: {portranges.describe(self.unknown)})"
        return text


@dataclass(frozen=True)
class EgressDestination:
    """One egress rule of one of the ALB's SGs, seen as "where may the ALB open connections"."""

    security_group_id: str
    security_group_name: str
    protocol: str
    from_port: int | None
    to_port: int | None
    kind: Literal["security-group", "cidr", "prefix-list"]
    destination: str  # SG id, CIDR or prefix-list id
    description: str = ""

    @property
    def any_address(self) -> bool:
        """True for 0.0.0.0/0 or ::/0: egress to the whole internet."""
        return self.kind == "cidr" and ipaddress.ip_network(self.destination, strict=False).prefixlen == 0

    def describe(self) -> str:
        # rule_text only prints the peer, so any peer field carries the destination.
        rule = SgRule("egress", self.protocol, self.from_port, self.to_port, cidr_ipv4=self.destination)
        return f"{self.security_group_id} ({self.security_group_name}): {rule_text(rule)}"


# --- endpoints -------------------------------------------------------------------------------------


def _group_ref(group: SecurityGroup) -> str:
    return f"{group.id} ({group.name})"


def _group_label(stack: Stack, group_ids: tuple[str, ...] | frozenset[str]) -> str:
    parts = []
    for gid in sorted(group_ids):
        group = stack.security_groups.get(gid)
        parts.append(f"{gid} ({group.name})" if group else f"{gid} (not in the stack)")
    return ", ".join(parts) or "no security group"


def _source_peer(stack: Stack, source: Source, alb_node_ips: tuple[str, ...]) -> Peer:
    if isinstance(source, InternetSource):
        return Peer(source.ip, frozenset(), source.ip or "an unknown internet address")
    groups = {source.security_group_id}
    lb_groups = set(stack.load_balancer.security_group_ids)
    is_alb = source.security_group_id in lb_groups or (source.ip != "" and source.ip in alb_node_ips)
    if is_alb:
        groups |= lb_groups
    owner = next((i for i in stack.instances.values() if source.ip and i.private_ip == source.ip), None)
    if owner is not None:
        groups |= set(owner.security_group_ids)
    who = "ALB node" if is_alb else f"instance {owner.id}" if owner else "ENI"
    at = f" {source.ip}" if source.ip else ""
    return Peer(source.ip, frozenset(groups), f"{who}{at} in {_group_label(stack, frozenset(groups))}")


def _instance_peer(stack: Stack, instance_id: str) -> Peer:
    try:
        instance = stack.instances[instance_id]
    except KeyError:
        raise KeyError(f"no instance {instance_id!r} in stack {stack.load_balancer.name!r}") from None
    name = f" ({instance.name})" if instance.name else ""
    return Peer(instance.private_ip, frozenset(instance.security_group_ids), f"{instance.private_ip}{name}")


def _rules(stack: Stack, group_ids: frozenset[str], direction: str) -> list[tuple[SecurityGroup, SgRule]]:
    out = []
    for gid in sorted(group_ids):
        group = stack.security_groups.get(gid)
        if group is None:
            continue
        for rule in group.ingress if direction == "ingress" else group.egress:
            out.append((group, rule))
    return out


# --- one side of the connection -----------------------------------------------------------------


@dataclass(frozen=True)
class _Side:
    match: Match
    group: SecurityGroup | None = None
    rule: SgRule | None = None


def _evaluate_side(
    stack: Stack, group_ids: frozenset[str], direction: str, peer: Peer, protocol: str, port: int
) -> _Side:
    unknown: _Side | None = None
    for group, rule in _rules(stack, group_ids, direction):
        if not covers(rule, protocol, port):
            continue
        match = names_peer(rule, peer)
        if match is Match.YES:
            return _Side(Match.YES, group, rule)
        if match is Match.UNKNOWN and unknown is None:
            unknown = _Side(Match.UNKNOWN, group, rule)
    return unknown or _Side(Match.NO)


def _traffic(protocol: str, port: int) -> str:
    return protocol if protocol in PORTLESS else f"{protocol}/{port}"


def _check_protocol(protocol: str) -> str:
    proto = normalize_protocol(protocol)
    if proto not in PROTOCOLS:
        raise ValueError(f"protocol must be one of {sorted(PROTOCOLS)} (or its number), got {protocol!r}")
    return proto


def can_reach(
    stack: Stack,
    source: Source,
    instance_id: str,
    port: int,
    protocol: str = "tcp",
    alb_node_ips: tuple[str, ...] = (),
) -> Verdict:
    """May ``source`` open a ``protocol`` connection to ``instance_id`` on ``port``?

    ICMP ignores ``port``. Raises KeyError for an instance that is not in the stack.
    """
    proto = _check_protocol(protocol)
    dest = _instance_peer(stack, instance_id)
    src = _source_peer(stack, source, tuple(alb_node_ips))
    traffic = _traffic(proto, port)
    dest_groups = _group_label(stack, dest.groups)

    ingress = _evaluate_side(stack, dest.groups, "ingress", src, proto, port)
    if ingress.match is Match.NO:
        return Verdict(False, f"denied: no ingress rule of {dest_groups} admits {src.label} on {traffic}")
    if ingress.match is Match.UNKNOWN:
        assert ingress.group is not None and ingress.rule is not None
        return Verdict(
            False,
            f"unknown: only prefix list {ingress.rule.prefix_list_id} (ingress rule of "
            f"{_group_ref(ingress.group)}) could admit {src.label} on {traffic}; "
            "prefix lists are not evaluated",
            unknown=True,
        )
    assert ingress.group is not None and ingress.rule is not None
    admitted = f"ingress rule of {_group_ref(ingress.group)} {rule_text(ingress.rule)}"
    if isinstance(source, InternetSource):
        return Verdict(True, f"allowed: {admitted}; an internet source has no egress rules")

    egress = _evaluate_side(stack, src.groups, "egress", dest, proto, port)
    src_groups = _group_label(stack, src.groups)
    if egress.match is Match.NO:
        return Verdict(
            False,
            f"denied at the source: no egress rule of {src_groups} admits {dest.label} "
            f"({instance_id}) on {traffic} (ingress would: {admitted})",
        )
    assert egress.group is not None and egress.rule is not None
    if egress.match is Match.UNKNOWN:
        return Verdict(
            False,
            f"unknown: {admitted}, but only prefix list {egress.rule.prefix_list_id} (egress rule of "
            f"{_group_ref(egress.group)}) could let {src.label} out; prefix lists are not evaluated",
            unknown=True,
        )
    return Verdict(
        True,
        f"allowed: {admitted}; egress rule of {_group_ref(egress.group)} {rule_text(egress.rule)}",
    )


def _one_side(stack: Stack, direction: str, peer: Peer, port: int, protocol: str) -> Verdict:
    """The load balancer's SGs alone decide: ingress from an internet ``peer``, or egress to an address
    that has no SG in the stack (an IP target)."""
    proto = _check_protocol(protocol)
    groups = frozenset(stack.load_balancer.security_group_ids)
    traffic = _traffic(proto, port)
    side = _evaluate_side(stack, groups, direction, peer, proto, port)
    if side.match is Match.NO:
        return Verdict(
            False,
            f"denied: no {direction} rule of {_group_label(stack, groups)} admits {peer.label} on {traffic}",
        )
    assert side.group is not None and side.rule is not None
    rule = f"{direction} rule of {_group_ref(side.group)} {rule_text(side.rule)}"
    if side.match is Match.UNKNOWN:
        return Verdict(
            False,
            f"unknown: only prefix list {side.rule.prefix_list_id} ({rule}) could admit {peer.label} on "
            f"{traffic}; prefix lists are not evaluated",
            unknown=True,
        )
    return Verdict(True, f"allowed: {rule}")


def listener_reach(stack: Stack, source_ip: str, port: int, protocol: str = "tcp") -> Verdict:
    """May an internet client at ``source_ip`` connect to the load balancer on ``port`` (a listener)?
    The ALB's SGs' ingress rules decide; the internet has no egress rules."""
    return _one_side(stack, "ingress", Peer(source_ip, frozenset(), source_ip), port, protocol)


def egress_reach(stack: Stack, ip: str, port: int, protocol: str = "tcp") -> Verdict:
    """May the ALB's nodes open a connection to ``ip`` on ``port``, an address with no SG in the stack
    (an IP target, e.g. on premises)? The ALB's SGs' egress rules decide."""
    return _one_side(stack, "egress", Peer(ip, frozenset(), ip), port, protocol)


# --- summaries -----------------------------------------------------------------------------------


def _side_ranges(
    stack: Stack, group_ids: frozenset[str], direction: str, peer: Peer, protocol: str
) -> tuple[tuple[PortRange, ...], tuple[PortRange, ...]]:
    """(ranges admitted for sure, ranges only a prefix list might admit) on one side."""
    yes: list[PortRange] = []
    maybe: list[PortRange] = []
    for _, rule in _rules(stack, group_ids, direction):
        match = names_peer(rule, peer)
        if match is Match.YES:
            yes.extend(rule_ports(rule, protocol))
        elif match is Match.UNKNOWN:
            maybe.extend(rule_ports(rule, protocol))
    return portranges.merge(yes), portranges.subtract(maybe, yes)


def open_ports(
    stack: Stack, source: Source, instance_id: str, protocol: str = "tcp", alb_node_ips: tuple[str, ...] = ()
) -> OpenPorts:
    """Every port (0-65535) on which ``can_reach`` would say allowed, as merged ranges."""
    proto = _check_protocol(protocol)
    if proto in PORTLESS:
        raise ValueError("ICMP has no ports; ask can_reach(..., protocol='icmp') instead")
    dest = _instance_peer(stack, instance_id)
    src = _source_peer(stack, source, tuple(alb_node_ips))
    in_yes, in_maybe = _side_ranges(stack, dest.groups, "ingress", src, proto)
    if isinstance(source, InternetSource):
        return OpenPorts(proto, in_yes, in_maybe)
    out_yes, out_maybe = _side_ranges(stack, src.groups, "egress", dest, proto)
    allowed = portranges.intersect(in_yes, out_yes)
    possible = portranges.intersect(in_yes + in_maybe, out_yes + out_maybe)
    return OpenPorts(proto, allowed, portranges.subtract(possible, allowed))


def alb_egress_destinations(stack: Stack) -> list[EgressDestination]:
    """Every egress rule of the load balancer's SGs, one destination each."""
    out = []
    for gid in stack.load_balancer.security_group_ids:
        group = stack.security_groups.get(gid)
        if group is None:
            raise KeyError(f"ALB security group {gid} is not in the stack")
        for rule in group.egress:
            kind: Literal["security-group", "cidr", "prefix-list"]
            if rule.referenced_group_id is not None:
                kind = "security-group"
            elif rule.prefix_list_id is not None:
                kind = "prefix-list"
            else:
                kind = "cidr"
            out.append(
                EgressDestination(
                    security_group_id=group.id,
                    security_group_name=group.name,
                    protocol=normalize_protocol(rule.protocol),
                    from_port=rule.from_port,
                    to_port=rule.to_port,
                    kind=kind,
                    destination=rule_peer_text(rule),
                    description=rule.description,
                )
            )
    return out
