"""The EC2 calls an ALB setup makes: instances and network interfaces with security groups of their
subnet's VPC, security-group rules that reference a group of another VPC, port ranges, group names, subnet
sizes."""

from __future__ import annotations

import ipaddress
from typing import Any

from alblab.strict.refusal import Refusal
from alblab.strict.registry import rule
from alblab.strict.request import ApiCall
from alblab.strict.rules import docs
from alblab.strict.world import World

SG_RULE_OPS = ("AuthorizeSecurityGroupIngress", "AuthorizeSecurityGroupEgress")
PORT_PROTOCOLS = ("tcp", "udp", "6", "17")
DIFFERENT_NETWORKS = "You have specified two resources that belong to different networks."


def _different_networks(world: World, subnet_id: str | None, group_ids: list[str]) -> None:
    subnet = world.subnet(subnet_id) if subnet_id else None
    if subnet is None:
        return
    for group_id in group_ids:
        group = world.security_group(group_id)
        if group is not None and group.vpc_id != subnet.vpc_id:
            raise Refusal(
                "InvalidParameter",
                f"Security group {group_id} and subnet {subnet_id} belong to different networks.",
            )


@rule("ec2-instance-network", "ec2", ("RunInstances",), ("InvalidParameter",), docs.RUN_INSTANCES)
def instance_groups_in_subnet_vpc(call: ApiCall, world: World) -> None:
    _different_networks(world, call.params.get("SubnetId"), list(call.params.get("SecurityGroupIds") or []))
    for interface in call.params.get("NetworkInterfaces") or []:
        _different_networks(world, interface.get("SubnetId"), list(interface.get("Groups") or []))


@rule(
    "ec2-eni-network",
    "ec2",
    ("CreateNetworkInterface", "ModifyNetworkInterfaceAttribute"),
    ("InvalidParameter",),
    docs.CREATE_NETWORK_INTERFACE,
)
def interface_groups_in_subnet_vpc(call: ApiCall, world: World) -> None:
    subnet_id = call.params.get("SubnetId")
    if call.operation == "ModifyNetworkInterfaceAttribute":
        eni = world.network_interface(call.params.get("NetworkInterfaceId", ""))
        subnet_id = getattr(getattr(eni, "subnet", None), "id", None)
    _different_networks(world, subnet_id, list(call.params.get("Groups") or []))


def _peered(world: World, a: str, b: str) -> bool:
    for peering in list(getattr(world.ec2, "vpc_pcxs", {}).values()):
        ends = {getattr(peering.vpc, "id", None), getattr(peering.peer_vpc, "id", None)}
        if ends == {a, b} and getattr(peering, "_status", None) and peering._status.code == "active":
            return True
    return False


@rule("ec2-sg-reference", "ec2", SG_RULE_OPS, ("InvalidGroup.NotFound",), docs.SG_RULES)
def referenced_group_in_same_vpc(call: ApiCall, world: World) -> None:
    group = world.security_group(call.params.get("GroupId", ""))
    if group is None or not group.vpc_id:
        return
    for permission in call.params.get("IpPermissions") or []:
        for pair in permission.get("UserIdGroupPairs") or []:
            other = world.security_group(pair.get("GroupId", ""))
            elsewhere = other is not None and other.vpc_id and other.vpc_id != group.vpc_id
            if elsewhere and not _peered(world, group.vpc_id, other.vpc_id):
                raise Refusal("InvalidGroup.NotFound", DIFFERENT_NETWORKS)


@rule("ec2-sg-rule-ports", "ec2", SG_RULE_OPS, ("InvalidParameterValue",), docs.SG_RULES)
def port_ranges(call: ApiCall, _world: World) -> None:
    for permission in call.params.get("IpPermissions") or []:
        protocol = str(permission.get("IpProtocol", "")).lower()
        low, high = permission.get("FromPort"), permission.get("ToPort")
        if protocol not in PORT_PROTOCOLS or low is None or high is None:
            continue
        if not (0 <= low <= high <= 65535):
            raise Refusal(
                "InvalidParameterValue",
                f"Invalid TCP/UDP port range: from port {low} to port {high} (0-65535, from <= to)",
            )


@rule("ec2-sg-name", "ec2", ("CreateSecurityGroup",), ("InvalidParameterValue",), docs.CREATE_SECURITY_GROUP)
def group_name(call: ApiCall, _world: World) -> None:
    name = str(call.params.get("GroupName", ""))
    if name.lower().startswith("sg-"):
        raise Refusal("InvalidParameterValue", f"Group names may not be in the format sg-*: {name}")


@rule("ec2-subnet-size", "ec2", ("CreateSubnet",), ("InvalidSubnet.Range",), docs.SUBNET_SIZING)
def subnet_size(call: ApiCall, _world: World) -> None:
    cidr: Any = call.params.get("CidrBlock")
    if not cidr:
        return
    try:
        network = ipaddress.ip_network(cidr, strict=False)
    except ValueError:
        return  # moto answers InvalidParameterValue
    if network.version == 4 and not (16 <= network.prefixlen <= 28):
        raise Refusal("InvalidSubnet.Range", f"The CIDR '{cidr}' is invalid.")
