"""SG reachability verdicts on hand-built stacks: every semantic the suite's mission checks rely on."""

from __future__ import annotations

import random
from itertools import pairwise

import pytest
from factories import chained_stack, eg, ing, instance, sg, stack

from alblab.model import Stack
from alblab.verdicts import portranges
from alblab.verdicts.reach import (
    GroupSource,
    InternetSource,
    alb_egress_destinations,
    can_reach,
    open_ports,
)

OUTSIDER = "198.51.100.7"
ALB_NODE = "10.0.1.10"


# --- the module's shape: internet -> ALB SG -> target SG ---------------------------------------


@pytest.mark.parametrize("instance_id", ["i-web1", "i-web2"])
@pytest.mark.parametrize("protocol", ["tcp", "udp"])
def test_internet_reaches_no_port_of_any_instance(instance_id: str, protocol: str) -> None:
    ports = open_ports(chained_stack(), InternetSource(OUTSIDER), instance_id, protocol)
    assert ports.ranges == () and ports.unknown == () and ports.count == 0
    assert ports.describe() == f"{protocol}: none"


def test_internet_denial_names_the_side_and_the_group() -> None:
    verdict = can_reach(chained_stack(), InternetSource(OUTSIDER), "i-web1", 22)
    assert not verdict.allowed and not verdict.unknown
    assert verdict.reason == f"denied: no ingress rule of sg-web (web) admits {OUTSIDER} on tcp/22"


def test_internet_cannot_use_the_target_port_either() -> None:
    # The target port is open to the ALB's SG only: an outsider on 8080 is still denied.
    assert not can_reach(chained_stack(), InternetSource(OUTSIDER), "i-web2", 8080).allowed


def test_alb_reaches_the_target_port_and_says_through_which_rules() -> None:
    verdict = can_reach(
        chained_stack(), GroupSource("sg-alb", ALB_NODE), "i-web1", 8080, alb_node_ips=(ALB_NODE,)
    )
    assert verdict.allowed
    assert "ingress rule of sg-web (web) tcp/8080 from sg-alb" in verdict.reason
    assert "egress rule of sg-alb (alb) tcp/8080 to sg-web" in verdict.reason


def test_alb_reaches_only_the_target_port() -> None:
    ports = open_ports(chained_stack(), GroupSource("sg-alb", ALB_NODE), "i-web1")
    assert ports.ranges == ((8080, 8080),)
    assert 8080 in ports and 8081 not in ports and 80 not in ports
    assert not can_reach(chained_stack(), GroupSource("sg-alb", ALB_NODE), "i-web1", 22).allowed


def test_group_source_without_ip_is_judged_by_membership() -> None:
    assert can_reach(chained_stack(), GroupSource("sg-alb", ""), "i-web2", 8080).allowed


def test_alb_egress_destinations_are_the_target_group_only() -> None:
    dests = alb_egress_destinations(chained_stack())
    assert [(d.kind, d.destination, d.protocol, d.from_port, d.to_port) for d in dests] == [
        ("security-group", "sg-web", "tcp", 8080, 8080)
    ]
    assert not any(d.any_address for d in dests)
    assert dests[0].describe() == "sg-alb (alb): tcp/8080 to sg-web"


def test_alb_egress_destinations_expose_internet_egress_and_on_prem_hosts() -> None:
    alb = sg(
        "sg-alb",
        "alb",
        egress=(eg("-1", None, "0.0.0.0/0"), eg("tcp", 8443, "192.0.2.10/32"), eg("tcp", 443, "pl-1")),
    )
    extra = sg("sg-extra", "extra", egress=(eg("tcp", (1024, 65535), "::/0"),))
    dests = alb_egress_destinations(stack([alb, extra], [], lb_groups=("sg-alb", "sg-extra")))
    by_dest = {d.destination: d for d in dests}
    assert set(by_dest) == {"0.0.0.0/0", "192.0.2.10/32", "pl-1", "::/0"}
    assert by_dest["0.0.0.0/0"].any_address and by_dest["::/0"].any_address
    assert not by_dest["192.0.2.10/32"].any_address
    assert by_dest["pl-1"].kind == "prefix-list" and not by_dest["pl-1"].any_address
    assert by_dest["::/0"].security_group_id == "sg-extra"
    assert by_dest["0.0.0.0/0"].describe() == "sg-alb (alb): all traffic to 0.0.0.0/0"


def test_alb_egress_destinations_refuse_a_missing_group() -> None:
    with pytest.raises(KeyError, match="sg-gone"):
        alb_egress_destinations(stack([], [], lb_groups=("sg-gone",)))


# --- egress side ----------------------------------------------------------------------------------


def test_egress_denied_at_the_alb_side() -> None:
    # The target admits the ALB on 9000, but the ALB's SG only lets it out on 8080.
    base = chained_stack()
    other = sg("sg-other", "other", ingress=(ing("tcp", 9000, "sg-alb"),))
    s = stack([*base.security_groups.values(), other], [instance("i-o", "10.0.1.9", "sg-other", name="o")])
    verdict = can_reach(s, GroupSource("sg-alb", ALB_NODE), "i-o", 9000)
    assert not verdict.allowed and not verdict.unknown
    assert verdict.reason.startswith(
        "denied at the source: no egress rule of sg-alb (alb) admits 10.0.1.9 (o) (i-o) on tcp/9000"
    )
    assert "ingress would: ingress rule of sg-other (other) tcp/9000 from sg-alb" in verdict.reason
    assert open_ports(s, GroupSource("sg-alb", ALB_NODE), "i-o").ranges == ()


def test_open_ports_intersect_ingress_and_egress_ranges() -> None:
    alb = sg("sg-alb", "alb", egress=(eg("tcp", (2000, 4000), "10.0.0.0/16"),))
    app = sg("sg-app", "app", ingress=(ing("tcp", (1000, 3000), "sg-alb"), ing("tcp", 3500, "sg-alb")))
    s = stack([alb, app], [instance("i-a", "10.0.1.4", "sg-app")])
    ports = open_ports(s, GroupSource("sg-alb", ALB_NODE), "i-a")
    assert ports.ranges == ((2000, 3000), (3500, 3500))
    assert ports.count == 1002
    assert ports.describe() == "tcp: 2000-3000, 3500"


def test_egress_by_cidr_must_contain_the_instance_ip() -> None:
    alb = sg("sg-alb", "alb", egress=(eg("tcp", 80, "10.0.2.0/24"),))
    web = sg("sg-web", "web", ingress=(ing("tcp", 80, "sg-alb"),))
    s = stack([alb, web], [instance("i-a", "10.0.1.4", "sg-web"), instance("i-b", "10.0.2.4", "sg-web")])
    assert not can_reach(s, GroupSource("sg-alb"), "i-a", 80).allowed
    assert can_reach(s, GroupSource("sg-alb"), "i-b", 80).allowed


# --- membership -----------------------------------------------------------------------------------


def _self_referencing() -> Stack:
    app = sg("sg-app", "app", ingress=(ing("tcp", 5432, "sg-app"),), egress=(eg("-1", None, "0.0.0.0/0"),))
    other = sg("sg-other", "other", egress=(eg("-1", None, "0.0.0.0/0"),))
    return stack(
        [app, other, sg("sg-alb", "alb")],
        [
            instance("i-a", "10.0.1.4", "sg-app"),
            instance("i-b", "10.0.1.5", "sg-app"),
            instance("i-c", "10.0.1.6", "sg-other"),
        ],
    )


def test_sg_referencing_itself_admits_its_members_only() -> None:
    s = _self_referencing()
    assert can_reach(s, GroupSource("sg-app", "10.0.1.4"), "i-b", 5432).allowed
    denied = can_reach(s, GroupSource("sg-other", "10.0.1.6"), "i-b", 5432)
    assert not denied.allowed
    assert "instance i-c 10.0.1.6 in sg-other (other)" in denied.reason


def test_source_ip_of_an_instance_brings_its_groups() -> None:
    # Asked as a member of sg-other, but 10.0.1.5 is i-b, which is also in sg-app.
    assert can_reach(_self_referencing(), GroupSource("sg-other", "10.0.1.5"), "i-a", 5432).allowed


def test_instance_with_two_groups_is_admitted_by_either() -> None:
    web = sg("sg-web", "web", ingress=(ing("tcp", 80, "sg-alb"),))
    ssh = sg("sg-ssh", "ssh", ingress=(ing("tcp", 22, "192.0.2.0/24"),))
    s = stack([web, ssh, sg("sg-alb", "alb")], [instance("i-a", "10.0.1.4", "sg-web", "sg-ssh")])
    verdict = can_reach(s, InternetSource("192.0.2.44"), "i-a", 22)
    assert verdict.allowed
    assert "sg-ssh (ssh) tcp/22 from 192.0.2.0/24" in verdict.reason
    assert verdict.reason.endswith("an internet source has no egress rules")
    denied = can_reach(s, InternetSource(OUTSIDER), "i-a", 80)
    assert (
        denied.reason == f"denied: no ingress rule of sg-ssh (ssh), sg-web (web) admits {OUTSIDER} on tcp/80"
    )
    assert open_ports(s, InternetSource("192.0.2.44"), "i-a").ranges == ((22, 22),)


def test_alb_node_carries_every_alb_group() -> None:
    # Ingress names the second ALB SG, egress lives on the first: one ENI holds both.
    alb = sg("sg-alb", "alb", egress=(eg("tcp", 80, "sg-web"),))
    extra = sg("sg-alb2", "alb2")
    web = sg("sg-web", "web", ingress=(ing("tcp", 80, "sg-alb2"),))
    s = stack([alb, extra, web], [instance("i-a", "10.0.1.4", "sg-web")], lb_groups=("sg-alb", "sg-alb2"))
    assert can_reach(s, GroupSource("sg-alb", ALB_NODE), "i-a", 80).allowed
    assert can_reach(s, GroupSource("sg-alb2", ALB_NODE), "i-a", 80).allowed


def test_alb_node_ips_mark_a_source_as_an_alb_node() -> None:
    s = chained_stack()
    s.security_groups["sg-misc"] = sg("sg-misc", "misc")
    assert not can_reach(s, GroupSource("sg-misc", ALB_NODE), "i-web1", 8080).allowed
    assert can_reach(s, GroupSource("sg-misc", ALB_NODE), "i-web1", 8080, alb_node_ips=(ALB_NODE,)).allowed


def test_cidr_ingress_admits_alb_nodes_by_address() -> None:
    alb = sg("sg-alb", "alb", egress=(eg("tcp", 8080, "10.0.0.0/16"),))
    web = sg("sg-web", "web", ingress=(ing("tcp", 8080, "10.0.1.0/24"),))
    s = stack([alb, web], [instance("i-a", "10.0.2.4", "sg-web")])
    assert can_reach(s, GroupSource("sg-alb", ALB_NODE), "i-a", 8080).allowed
    assert not can_reach(s, GroupSource("sg-alb", "10.0.2.10"), "i-a", 8080).allowed
    assert not can_reach(s, InternetSource("203.0.113.1"), "i-a", 8080).allowed


# --- protocols, ports, address families --------------------------------------------------------------


def _one_rule(rule_in: object) -> Stack:
    target = sg("sg-t", "t", ingress=(rule_in,))  # type: ignore[arg-type]
    return stack([target, sg("sg-alb", "alb")], [instance("i-t", "10.0.1.4", "sg-t")])


def test_protocol_all_covers_every_protocol_and_port() -> None:
    s = _one_rule(ing("-1", None, "10.0.0.0/16"))
    inside = InternetSource("10.0.9.9")
    for protocol, port in [("tcp", 0), ("tcp", 65535), ("udp", 53), ("icmp", 0), ("icmpv6", 0)]:
        assert can_reach(s, inside, "i-t", port, protocol).allowed, (protocol, port)
    assert open_ports(s, inside, "i-t", "udp").ranges == (portranges.ALL_PORTS,)
    assert "all traffic from 10.0.0.0/16" in can_reach(s, inside, "i-t", 1).reason
    assert not can_reach(s, InternetSource("10.1.0.1"), "i-t", 80).allowed


def test_port_ranges_are_inclusive() -> None:
    s = _one_rule(ing("tcp", (1000, 2000), "0.0.0.0/0"))
    src = InternetSource(OUTSIDER)
    assert [can_reach(s, src, "i-t", p).allowed for p in (999, 1000, 1500, 2000, 2001)] == [
        False,
        True,
        True,
        True,
        False,
    ]
    assert "tcp/1000-2000 from 0.0.0.0/0" in can_reach(s, src, "i-t", 1000).reason


def test_protocols_do_not_mix() -> None:
    s = _one_rule(ing("udp", 53, "0.0.0.0/0"))
    assert can_reach(s, InternetSource(OUTSIDER), "i-t", 53, "udp").allowed
    assert not can_reach(s, InternetSource(OUTSIDER), "i-t", 53, "tcp").allowed
    assert not can_reach(s, InternetSource(OUTSIDER), "i-t", 0, "icmp").allowed


def test_protocol_numbers_are_normalised() -> None:
    s = _one_rule(ing("6", 80, "0.0.0.0/0"))
    assert can_reach(s, InternetSource(OUTSIDER), "i-t", 80, "tcp").allowed
    assert can_reach(s, InternetSource(OUTSIDER), "i-t", 80, "6").allowed


def test_icmp_has_no_ports() -> None:
    # An echo-request rule (type 8, any code): any port argument is irrelevant, tcp is not covered.
    s = _one_rule(ing("icmp", (8, -1), "0.0.0.0/0"))
    verdict = can_reach(s, InternetSource(OUTSIDER), "i-t", 12345, "icmp")
    assert verdict.allowed and "icmp from 0.0.0.0/0" in verdict.reason
    assert not can_reach(s, InternetSource(OUTSIDER), "i-t", 8, "tcp").allowed
    assert not can_reach(s, InternetSource("2001:db8::1"), "i-t", 0, "icmpv6").allowed
    with pytest.raises(ValueError, match="ICMP has no ports"):
        open_ports(s, InternetSource(OUTSIDER), "i-t", "icmp")
    denied = can_reach(_one_rule(ing("tcp", 80, "0.0.0.0/0")), InternetSource(OUTSIDER), "i-t", 0, "icmp")
    assert denied.reason.endswith(f"admits {OUTSIDER} on icmp")


def test_all_ports_tcp_rule_as_ec2_reports_it() -> None:
    s = _one_rule(ing("tcp", None, "0.0.0.0/0"))  # FromPort/ToPort -1
    assert open_ports(s, InternetSource(OUTSIDER), "i-t").ranges == (portranges.ALL_PORTS,)
    assert "tcp/all from 0.0.0.0/0" in can_reach(s, InternetSource(OUTSIDER), "i-t", 7).reason


def test_ipv6_sources_match_ipv6_cidrs_only() -> None:
    v6 = _one_rule(ing("tcp", 443, "::/0"))
    v4 = _one_rule(ing("tcp", 443, "0.0.0.0/0"))
    assert can_reach(v6, InternetSource("2001:db8::1"), "i-t", 443).allowed
    assert not can_reach(v6, InternetSource(OUTSIDER), "i-t", 443).allowed
    assert not can_reach(v4, InternetSource("2001:db8::1"), "i-t", 443).allowed
    narrow = _one_rule(ing("tcp", 443, "2001:db8:1::/48"))
    assert can_reach(narrow, InternetSource("2001:db8:1::5"), "i-t", 443).allowed
    assert not can_reach(narrow, InternetSource("2001:db8:2::5"), "i-t", 443).allowed


def test_prefix_list_is_unknown_never_silently_allowed() -> None:
    s = _one_rule(ing("tcp", 443, "pl-0abc"))
    verdict = can_reach(s, InternetSource(OUTSIDER), "i-t", 443)
    assert not verdict.allowed and verdict.unknown
    assert "pl-0abc" in verdict.reason and "not evaluated" in verdict.reason
    ports = open_ports(s, InternetSource(OUTSIDER), "i-t")
    assert ports.ranges == () and ports.unknown == ((443, 443),)
    assert "unknown" in ports.describe()
    assert not can_reach(s, InternetSource(OUTSIDER), "i-t", 80).unknown


def test_a_definite_rule_wins_over_a_prefix_list() -> None:
    target = sg("sg-t", "t", ingress=(ing("tcp", 443, "pl-0abc"), ing("tcp", (400, 500), "0.0.0.0/0")))
    s = stack([target, sg("sg-alb", "alb")], [instance("i-t", "10.0.1.4", "sg-t")])
    verdict = can_reach(s, InternetSource(OUTSIDER), "i-t", 443)
    assert verdict.allowed and not verdict.unknown
    assert open_ports(s, InternetSource(OUTSIDER), "i-t").unknown == ()


def test_prefix_list_on_the_egress_side_is_unknown() -> None:
    alb = sg("sg-alb", "alb", egress=(eg("tcp", 80, "pl-0abc"),))
    web = sg("sg-web", "web", ingress=(ing("tcp", 80, "sg-alb"),))
    s = stack([alb, web], [instance("i-a", "10.0.1.4", "sg-web")])
    verdict = can_reach(s, GroupSource("sg-alb"), "i-a", 80)
    assert not verdict.allowed and verdict.unknown and "egress rule of sg-alb (alb)" in verdict.reason
    assert open_ports(s, GroupSource("sg-alb"), "i-a").unknown == ((80, 80),)


def test_unknown_instance_and_protocol_are_errors() -> None:
    with pytest.raises(KeyError, match="i-nope"):
        can_reach(chained_stack(), InternetSource(OUTSIDER), "i-nope", 80)
    with pytest.raises(ValueError, match="protocol"):
        can_reach(chained_stack(), InternetSource(OUTSIDER), "i-web1", 80, "sctp")


def test_open_ports_agree_with_can_reach_at_every_rule_boundary() -> None:
    alb = sg("sg-alb", "alb", egress=(eg("tcp", (0, 1023), "sg-app"), eg("tcp", (8000, 9000), "10.0.1.0/24")))
    app = sg(
        "sg-app",
        "app",
        ingress=(
            ing("tcp", (20, 25), "sg-alb"),
            ing("tcp", (1000, 8500), "10.0.1.0/24"),
            ing("tcp", 9000, "sg-alb"),
            ing("udp", None, "0.0.0.0/0"),
            ing("tcp", 65535, "pl-1"),
        ),
    )
    s = stack([alb, app], [instance("i-a", "10.0.1.4", "sg-app")])
    boundaries = {0, 65535} | {
        p + d
        for r in (*alb.egress, *app.ingress)
        for p in (r.from_port, r.to_port)
        if p is not None
        for d in (-1, 0, 1)
    }
    for source in (GroupSource("sg-alb", ALB_NODE), InternetSource("10.0.1.50"), InternetSource(OUTSIDER)):
        ports = open_ports(s, source, "i-a")
        for port in sorted(p for p in boundaries if 0 <= p <= 65535):
            assert can_reach(s, source, "i-a", port).allowed == (port in ports), (source, port)
    assert open_ports(s, GroupSource("sg-alb", ALB_NODE), "i-a").ranges == (
        (20, 25),
        (1000, 1023),
        (8000, 8500),
        (9000, 9000),
    )


# --- port range arithmetic ---------------------------------------------------------------------------


def test_port_range_arithmetic() -> None:
    assert portranges.merge([(5, 9), (1, 3), (4, 4), (20, 30), (25, 26)]) == ((1, 9), (20, 30))
    assert portranges.intersect([(0, 10), (20, 30)], [(5, 25)]) == ((5, 10), (20, 25))
    assert portranges.intersect([(0, 10)], []) == ()
    assert portranges.subtract([(0, 100)], [(0, 0), (10, 20), (100, 200)]) == ((1, 9), (21, 99))
    assert portranges.subtract([(5, 5)], [(5, 5)]) == ()
    assert portranges.size([(0, 65535)]) == 65536
    assert portranges.describe([(80, 80), (443, 443), (8000, 8999)]) == "80, 443, 8000-8999"


def test_port_range_arithmetic_agrees_with_sets() -> None:
    rnd = random.Random(11)

    def ranges() -> list[tuple[int, int]]:
        out = []
        for _ in range(rnd.randint(0, 4)):
            lo = rnd.randint(0, 60)
            out.append((lo, lo + rnd.randint(-2, 15)))  # some empty (hi < lo) on purpose
        return out

    def as_set(rs: object) -> set[int]:
        return {p for lo, hi in rs for p in range(lo, hi + 1)}  # type: ignore[attr-defined]

    for _ in range(500):
        a, b = ranges(), ranges()
        merged = portranges.merge(a)
        assert as_set(merged) == as_set(a)
        assert all(x[1] + 1 < y[0] for x, y in pairwise(merged))  # disjoint, not adjacent
        assert as_set(portranges.intersect(a, b)) == as_set(a) & as_set(b)
        assert as_set(portranges.subtract(a, b)) == as_set(a) - as_set(b)
        assert portranges.size(a) == len(as_set(a))
