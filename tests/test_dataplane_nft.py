"""SG → nftables: the pure renderer on text, and one ruleset loaded by nft in a throw-away namespace."""

from __future__ import annotations

import secrets
import shutil

import pytest
from plane_factories import ALB_SG, TARGET_SG, security_groups

from alblab.dataplane import nft, sandbox
from alblab.dataplane.netns import Netns
from alblab.model import SecurityGroup, SgRule

MEMBERS = {ALB_SG: {"10.0.1.254", "10.0.2.254"}, TARGET_SG: {"10.0.11.4", "10.0.12.4"}}


def listed(net: Netns, ns: str) -> str:
    return net.exec(ns, ["nft", "list", "table", "inet", nft.TABLE])


def chain(text: str, name: str) -> str:
    start = text.index(f"chain {name} {{")
    return text[start : text.index("\n    }", start)]


def test_target_sg_admits_only_alb_members_on_its_port() -> None:
    text = nft.render_ruleset([security_groups()[TARGET_SG]], MEMBERS)
    inp = chain(text, "input")
    assert "policy drop;" in inp
    assert "ct state established,related accept" in inp
    assert 'iif "lo" accept' in inp
    assert "ip saddr { 10.0.1.254, 10.0.2.254 } tcp dport 80 accept" in inp
    assert "0.0.0.0/0" not in inp
    # Egress -1 to 0.0.0.0/0: any IPv4 packet out.
    assert "meta nfproto ipv4 accept" in chain(text, "output")


def test_alb_egress_only_to_target_members() -> None:
    out = chain(nft.render_ruleset([security_groups()[ALB_SG]], MEMBERS), "output")
    assert "policy drop;" in out
    assert "ip daddr { 10.0.11.4, 10.0.12.4 } tcp dport 80 accept" in out
    assert out.count(" accept comment ") == 1


def mixed_sg() -> SecurityGroup:
    return SecurityGroup(
        "sg-x",
        "x",
        "vpc-1",
        ingress=(
            SgRule("ingress", "tcp", 8000, 8100, cidr_ipv4="10.1.0.0/16"),
            SgRule("ingress", "udp", 53, 53, cidr_ipv6="2001:db8::/32"),
            SgRule("ingress", "icmp", 8, -1, cidr_ipv4="0.0.0.0/0"),
            SgRule("ingress", "icmpv6", -1, -1, cidr_ipv6="::/0"),
            SgRule("ingress", "tcp", 443, 443, referenced_group_id="sg-empty"),
            SgRule("ingress", "tcp", 22, 22, prefix_list_id="pl-123"),
            SgRule("ingress", "-1", cidr_ipv4="192.0.2.0/24", description='quote " and #'),
        ),
    )


def test_protocols_ranges_ipv6_and_empty_reference() -> None:
    inp = chain(nft.render_ruleset([mixed_sg()], MEMBERS), "input")
    assert "ip saddr 10.1.0.0/16 tcp dport 8000-8100 accept" in inp
    assert "ip6 saddr 2001:db8::/32 udp dport 53 accept" in inp
    assert "meta nfproto ipv4 icmp type 8 accept" in inp
    assert "meta nfproto ipv6 meta l4proto ipv6-icmp accept" in inp
    assert "# sg-x ingress tcp 443-443 -> sg-empty: no members, matches nothing" in inp
    assert "pl-123: not resolved" in inp
    assert "ip saddr 192.0.2.0/24 accept" in inp
    assert '"' not in inp.split("192.0.2.0/24 accept comment ")[1].split("\n")[0].strip('"')


def test_several_sgs_are_ored_and_members_by_sg() -> None:
    members = nft.members_by_sg([("10.0.11.4", (TARGET_SG,)), ("10.0.1.254", (ALB_SG, "sg-mon"))])
    assert members == {TARGET_SG: {"10.0.11.4"}, ALB_SG: {"10.0.1.254"}, "sg-mon": {"10.0.1.254"}}
    text = nft.render_ruleset(security_groups().values(), MEMBERS)
    assert text.count(" accept comment ") == 4


@pytest.mark.dataplane
@pytest.mark.skipif(sandbox.problem("root") is not None, reason=str(sandbox.problem("root")))
def test_rendered_ruleset_loads_and_replaces_atomically() -> None:
    ns = f"alnft{secrets.token_hex(2)}"
    net = Netns()
    net.add([ns])
    try:
        nft.apply(net, ns, nft.render_ruleset([security_groups()[TARGET_SG]], MEMBERS))
        first = listed(net, ns)
        assert "10.0.1.254" in first and "policy drop" in first
        # Re-applying a different ruleset replaces the table in one transaction (no duplicate table error).
        nft.apply(net, ns, nft.render_ruleset([security_groups()[ALB_SG]], MEMBERS))
        second = listed(net, ns)
        assert "daddr { 10.0.11.4, 10.0.12.4 }" in second and "saddr { 10.0.1.254" not in second
        # Every rule form the renderer emits (ranges, ip6, icmp/icmpv6, comments with quotes) is valid nft.
        nft.apply(net, ns, nft.render_ruleset([mixed_sg()], MEMBERS))
        assert "8000-8100" in listed(net, ns)
    finally:
        net.delete(ns)
    assert ns not in net.existing()


def test_nft_binary_present_when_available() -> None:
    if sandbox.problem() is None:
        assert shutil.which("nft")
