"""Load balancers: subnets in two AZs of one VPC, security groups of that VPC, the name, attributes, tags."""

from __future__ import annotations

from collections import Counter
from typing import Any

from alblab.strict.refusal import Refusal
from alblab.strict.registry import rule
from alblab.strict.request import ApiCall
from alblab.strict.rules import docs
from alblab.strict.world import World

TAGGED = ("AddTags", "CreateLoadBalancer", "CreateTargetGroup", "CreateListener", "CreateRule")
MAX_TAGS = 50


def _is_application(call: ApiCall, world: World) -> bool:
    if call.operation == "CreateLoadBalancer":
        return call.params.get("Type", "application") == "application"
    lb = world.load_balancer(call.params.get("LoadBalancerArn", ""))
    return lb is not None and lb.type == "application"


def _subnet_ids(params: dict[str, Any]) -> list[str]:
    return list(params.get("Subnets") or []) + [
        m["SubnetId"] for m in params.get("SubnetMappings") or [] if "SubnetId" in m
    ]


@rule(
    "lb-subnets",
    "elbv2",
    ("CreateLoadBalancer", "SetSubnets"),
    ("ValidationError", "InvalidConfigurationRequest"),
    docs.CREATE_LOAD_BALANCER,
)
def subnets_in_two_zones_of_one_vpc(call: ApiCall, world: World) -> None:
    if not _is_application(call, world):
        return
    ids = _subnet_ids(call.params)
    subnets = [world.subnet(i) for i in ids]
    if not ids or any(s is None for s in subnets):
        return  # moto answers SubnetNotFound
    if len({s.vpc_id for s in subnets}) > 1:
        raise Refusal(
            "InvalidConfigurationRequest", "The subnets of a load balancer must all be in the same VPC"
        )
    zones = Counter(s.availability_zone for s in subnets)
    if len(zones) < 2 and len(subnets) < 2:
        raise Refusal(
            "ValidationError", "At least two subnets in two different Availability Zones must be specified"
        )
    if any(n > 1 for n in zones.values()):
        raise Refusal(
            "InvalidConfigurationRequest",
            "A load balancer cannot be attached to multiple subnets in the same Availability Zone",
        )


@rule(
    "lb-security-groups",
    "elbv2",
    ("CreateLoadBalancer", "SetSecurityGroups"),
    ("InvalidSecurityGroup",),
    docs.SET_SECURITY_GROUPS,
)
def security_groups_of_the_vpc(call: ApiCall, world: World) -> None:
    if not _is_application(call, world):
        return
    if call.operation == "CreateLoadBalancer":
        subnet = next((world.subnet(i) for i in _subnet_ids(call.params)), None)
        vpc_id = None if subnet is None else subnet.vpc_id
    else:
        vpc_id = world.load_balancer(call.params["LoadBalancerArn"]).vpc_id
    for group_id in call.params.get("SecurityGroups") or []:
        group = world.security_group(group_id)
        if group is None:
            raise Refusal("InvalidSecurityGroup", f"Security group '{group_id}' does not exist")
        if vpc_id is not None and group.vpc_id != vpc_id:
            raise Refusal(
                "InvalidSecurityGroup", f"Security group '{group_id}' does not belong to VPC '{vpc_id}'"
            )


@rule("lb-name", "elbv2", ("CreateLoadBalancer",), ("ValidationError",), docs.CREATE_LOAD_BALANCER)
def load_balancer_name(call: ApiCall, _world: World) -> None:
    name = call.params.get("Name", "")
    if len(name) > 32:
        raise Refusal(
            "ValidationError", f"The load balancer name '{name}' cannot be longer than '32' characters"
        )
    if not name.replace("-", "").isalnum() or not name.isascii():
        raise Refusal(
            "ValidationError",
            f"The load balancer name '{name}' can only contain characters that are alphanumeric characters "
            "or hyphens(-)",
        )
    if name.startswith("-") or name.endswith("-"):
        raise Refusal("ValidationError", f"The load balancer name '{name}' cannot begin or end with a hyphen")
    if name.startswith("internal-"):
        raise Refusal("ValidationError", f"The load balancer name '{name}' cannot begin with 'internal-'")


@rule(
    "lb-attributes",
    "elbv2",
    ("ModifyLoadBalancerAttributes",),
    ("InvalidConfigurationRequest",),
    docs.ACCESS_LOGS,
)
def load_balancer_attributes(call: ApiCall, _world: World) -> None:
    attributes = {a.get("Key"): a.get("Value", "") for a in call.params.get("Attributes") or []}
    prefix = attributes.get("access_logs.s3.prefix") or ""
    if "AWSLogs" in prefix:
        raise Refusal(
            "InvalidConfigurationRequest",
            f"The access log prefix '{prefix}' cannot contain the string 'AWSLogs'",
        )
    idle = attributes.get("idle_timeout.timeout_seconds")
    if idle is not None and not (idle.isdigit() and 1 <= int(idle) <= 4000):
        raise Refusal(
            "InvalidConfigurationRequest",
            f"Load balancer attribute 'idle_timeout.timeout_seconds' value '{idle}' "
            "must be between 1 and 4000",
        )


@rule("tags", "elbv2", TAGGED, ("ValidationError", "DuplicateTagKeys", "TooManyTags"), docs.ADD_TAGS)
def tags(call: ApiCall, world: World) -> None:
    new = [t.get("Key", "") for t in call.params.get("Tags") or []]
    for key in new:
        if key.startswith("aws:"):
            raise Refusal("ValidationError", f"Tag key '{key}' cannot start with 'aws:'")
    repeated = [k for k, n in Counter(new).items() if n > 1]
    if repeated:
        raise Refusal("DuplicateTagKeys", f"Tag key '{repeated[0]}' was specified more than once")
    if world.elbv2 is None:
        existing_per_resource: list[set[str]] = [set()]
    else:
        arns = call.params.get("ResourceArns") or [""]
        existing_per_resource = [set(world.elbv2.tagging_service.get_tag_dict_for_resource(a)) for a in arns]
    if any(len(existing | set(new)) > MAX_TAGS for existing in existing_per_resource):
        raise Refusal("TooManyTags", "You've reached the limit on the number of tags for this resource")
