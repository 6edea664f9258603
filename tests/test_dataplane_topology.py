"""Topology planning from the model (pure): names, addresses, segments, on-prem hosts."""

from __future__ import annotations

import dataclasses

from plane_factories import stack, target_group

from alblab.dataplane import topology
from alblab.model import Instance, Target


def test_plan_places_nodes_instances_and_client() -> None:
    topo = topology.plan(stack(), "alabcde")
    assert topo.router == "alabcde-r"
    assert sorted(h.ip for h in topo.by_role("alb")) == ["10.0.1.254", "10.0.2.254"]
    assert {h.owner: h.ip for h in topo.by_role("instance")} == {"i-aaa": "10.0.11.4", "i-bbb": "10.0.12.4"}
    assert topo.client.ip == topology.CLIENT_IP
    # Router addresses: the first address of each subnet (AWS's VPC router), no segment for anything else.
    assert {s.cidr: s.router_ip for s in topo.segments.values()}["10.0.11.0/24"] == "10.0.11.1"
    assert all(
        len(h.veth) <= 15 and len(s.bridge) <= 15 for h in topo.hosts.values() for s in topo.segments.values()
    )
    assert all(ns.startswith("alabcde-") for ns in topo.namespaces)


def test_alb_node_avoids_an_instance_on_the_highest_address() -> None:
    s = stack()
    s.instances["i-top"] = Instance("i-top", "10.0.1.254", "subnet-pub-a", "us-east-1a", ())
    topo = topology.plan(s, "alx")
    assert topo.by_owner("subnet-pub-a").ip == "10.0.1.253"


def test_onprem_ip_target_gets_its_own_segment() -> None:
    onprem = dataclasses.replace(
        target_group("onprem", ()), target_type="ip", targets=(Target("192.168.50.10", 80, "all"),)
    )
    topo = topology.plan(stack(groups=(target_group("web", ("i-aaa",)), onprem)), "aly")
    host = topo.by_owner("192.168.50.10")
    assert host.role == "iptarget" and host.security_group_ids == ()
    segment = topo.segments[host.segment]
    assert segment.cidr == "192.168.50.0/24" and segment.router_ip == "192.168.50.1"


def test_names_stay_stable_when_an_instance_goes() -> None:
    first = topology.plan(stack(), "alz")
    s = stack()
    del s.instances["i-aaa"]
    second = topology.plan(s, "alz", topology.names_of(first))
    assert second.by_owner("i-bbb").ns == first.by_owner("i-bbb").ns
    assert second.by_owner("i-bbb").veth == first.by_owner("i-bbb").veth
    assert "i-aaa" not in {h.owner for h in second.hosts.values()}
