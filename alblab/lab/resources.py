"""What the console would show before the ALB exists: the lab's security groups, instances, target groups.

``alblab.state.read_stack`` starts from a load balancer, which steps 1-2 do not have yet, so these few
describe calls (filtered by the lab's names: moto state is shared) cover the time before step 3.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from alblab.lab.observe import ONPREM


@dataclass(frozen=True)
class SgView:
    id: str
    name: str
    rules: tuple[str, ...]  # "in  tcp 80    from 0.0.0.0/0"


@dataclass(frozen=True)
class InstanceView:
    name: str
    id: str
    private_ip: str
    security_groups: tuple[str, ...]  # names


@dataclass(frozen=True)
class TargetGroupView:
    name: str
    target_type: str  # instance | ip
    protocol: str
    port: int
    health: str  # "GET / every 5 s, healthy after 2, unhealthy after 2"
    targets: tuple[str, ...]  # "web-a  i-…:80"


@dataclass(frozen=True)
class LabResources:
    security_groups: tuple[SgView, ...]
    instances: tuple[InstanceView, ...]
    target_groups: tuple[TargetGroupView, ...]


def _ports(rule: dict[str, Any]) -> str:
    if rule.get("IpProtocol") == "-1":
        return "all"
    low, high = rule.get("FromPort"), rule.get("ToPort")
    ports = str(low) if low == high else f"{low}-{high}"
    return f"{rule['IpProtocol']} {ports}"


def _rule_lines(ec2: Any, group_id: str, names: dict[str, str]) -> tuple[str, ...]:
    rules = ec2.describe_security_group_rules(Filters=[{"Name": "group-id", "Values": [group_id]}])
    lines = []
    for rule in rules["SecurityGroupRules"]:
        inbound = not rule["IsEgress"]
        if "CidrIpv4" in rule:
            peer = rule["CidrIpv4"]
        elif "ReferencedGroupInfo" in rule:
            ref = rule["ReferencedGroupInfo"]["GroupId"].split("/")[-1]
            peer = f"sg {names.get(ref, ref)}"
        else:
            peer = rule.get("CidrIpv6") or rule.get("PrefixListId", "?")
        lines.append(
            f"{'in' if inbound else 'out':<4}{_ports(rule):<7} {'from' if inbound else 'to  '} {peer}"
        )
    return tuple(sorted(lines))


def read_resources(ec2: Any, elbv2: Any, name: str) -> LabResources:
    groups = ec2.describe_security_groups(
        Filters=[{"Name": "group-name", "Values": [f"{name}-alb", f"{name}-instances"]}]
    )["SecurityGroups"]
    names = {g["GroupId"]: g["GroupName"] for g in groups}
    sgs = tuple(
        SgView(g["GroupId"], g["GroupName"], _rule_lines(ec2, g["GroupId"], names))
        for g in sorted(groups, key=lambda g: g["GroupName"])
    )

    reservations = ec2.describe_instances(
        Filters=[
            {"Name": "tag:Name", "Values": [f"{name}-web-*"]},
            {"Name": "instance-state-name", "Values": ["pending", "running", "stopped"]},
        ]
    )["Reservations"]
    by_id: dict[str, str] = {}
    instances = []
    for inst in (i for r in reservations for i in r["Instances"]):
        tag = next((t["Value"] for t in inst.get("Tags", []) if t["Key"] == "Name"), inst["InstanceId"])
        short = tag.removeprefix(f"{name}-")
        by_id[inst["InstanceId"]] = short
        sg_names = tuple(sorted(names.get(g["GroupId"], g["GroupName"]) for g in inst["SecurityGroups"]))
        instances.append(InstanceView(short, inst["InstanceId"], inst["PrivateIpAddress"], sg_names))

    tgs = []
    pages = elbv2.get_paginator("describe_target_groups").paginate()
    for tg in (t for page in pages for t in page["TargetGroups"]):
        if not tg["TargetGroupName"].startswith(f"{name}-"):
            continue
        health = elbv2.describe_target_health(TargetGroupArn=tg["TargetGroupArn"])["TargetHealthDescriptions"]
        onprem = tg.get("TargetType") == "ip"  # the lab registers IP targets only for its on-prem server
        targets = tuple(sorted(_target_line(h["Target"], by_id, onprem) for h in health))
        check = (
            f"{tg.get('HealthCheckProtocol', 'HTTP')} {tg.get('HealthCheckPath', '/')} every "
            f"{tg['HealthCheckIntervalSeconds']} s, healthy after {tg['HealthyThresholdCount']}, "
            f"unhealthy after {tg['UnhealthyThresholdCount']}"
        )
        tgs.append(
            TargetGroupView(
                tg["TargetGroupName"],
                tg.get("TargetType", "instance"),
                tg["Protocol"],
                tg["Port"],
                check,
                targets,
            )
        )
    return LabResources(
        sgs, tuple(sorted(instances, key=lambda i: i.name)), tuple(sorted(tgs, key=lambda t: t.name))
    )


def _target_line(target: dict[str, Any], by_id: dict[str, str], onprem: bool) -> str:
    name = by_id.get(target["Id"]) or (ONPREM if onprem else "")
    return f"{name:<7} {target['Id']}:{target['Port']}"


def target_group_line(name: str, target_type: str, protocol: str, port: int) -> str:
    """A target group's heading, the same in ``lab show`` and ``lab health``."""
    return f"target group {name}  type {target_type}  {protocol}:{port}"


def render_resources(res: LabResources) -> str:
    lines = []
    for sg in res.security_groups:
        lines.append(f"security group {sg.name} ({sg.id})")
        lines.extend(f"  {rule}" for rule in sg.rules)
    lines.append("instances")
    for inst in res.instances:
        lines.append(
            f"  {inst.name:<6} {inst.id}  {inst.private_ip:<10}  sg: {', '.join(inst.security_groups)}"
        )
    for tg in res.target_groups:
        lines.append(target_group_line(tg.name, tg.target_type, tg.protocol, tg.port))
        lines.append(f"  health check {tg.health}")
        lines.extend(f"  {t}" for t in tg.targets)
    return "\n".join(lines)
