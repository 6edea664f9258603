"""Target groups and their targets: health-check timing and matcher, protocol versions, attributes,
where targets may live, the targets quota, and deleting a group still in use."""

from __future__ import annotations

import ipaddress
import re
from typing import Any

from alblab.strict.refusal import Refusal
from alblab.strict.registry import rule
from alblab.strict.request import ApiCall
from alblab.strict.rules import docs
from alblab.strict.world import World, arn_region

CREATE_OR_MODIFY = ("CreateTargetGroup", "ModifyTargetGroup")
ALB_PROTOCOLS = ("HTTP", "HTTPS")
PROTOCOL_VERSIONS = ("HTTP1", "HTTP2", "GRPC")
# Defaults AWS applies when a request leaves them out (CreateTargetGroup: HTTP/HTTPS groups 30 s / 5 s,
# lambda 35 s / 30 s).
DEFAULT_TIMING = {"lambda": (35, 30)}
DEFAULT_HTTP_TIMING = (30, 5)
RESERVED_COOKIE_PREFIXES = ("AWSALB", "AWSALBAPP", "AWSALBTG")
PRIVATE_RANGES = tuple(
    ipaddress.ip_network(n) for n in ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10")
)
MAX_TARGETS = 1000
MAX_LAMBDA_TARGETS = 1
_CODES = re.compile(r"^(\d+)(?:-(\d+))?$")


class Group:
    """A target group as the request will leave it: the request's values over the stored ones."""

    def __init__(self, call: ApiCall, world: World) -> None:
        self.params = call.params
        self.stored = (
            world.target_group(call.params.get("TargetGroupArn", ""))
            if call.operation != "CreateTargetGroup"
            else None
        )
        self.target_type = self._pick("TargetType", "target_type", "instance")
        self.protocol = self._pick("Protocol", "protocol", None)
        self.protocol_version = (self._pick("ProtocolVersion", "protocol_version", None) or "HTTP1").upper()

    def _pick(self, param: str, attr: str, default: Any) -> Any:
        if param in self.params:
            return self.params[param]
        if self.stored is not None:
            return getattr(self.stored, attr, default) or default
        return default

    @property
    def is_alb(self) -> bool:
        return self.target_type == "lambda" or self.protocol in ALB_PROTOCOLS


def _known(call: ApiCall, world: World) -> Group | None:
    """The group a create or modify leaves, or None when moto will refuse it as not found."""
    group = Group(call, world)
    if call.operation != "CreateTargetGroup" and group.stored is None:
        return None
    return group


@rule("tg-health-check-timing", "elbv2", CREATE_OR_MODIFY, ("ValidationError",), docs.CREATE_TARGET_GROUP)
def timeout_below_interval(call: ApiCall, world: World) -> None:
    """The timeout must stay below the interval. AWS lowers its own default timeout to fit a short interval,
    so an equal pair is refused only when the request sets both (as moto's AWS-validated check does)."""
    group = _known(call, world)
    if group is None or not group.is_alb:
        return
    interval, timeout = DEFAULT_TIMING.get(group.target_type, DEFAULT_HTTP_TIMING)
    if group.stored is not None:
        interval = int(group.stored.health_check_interval_seconds)
        timeout = int(group.stored.health_check_timeout_seconds)
    given = call.params.keys() & {"HealthCheckIntervalSeconds", "HealthCheckTimeoutSeconds"}
    interval = call.params.get("HealthCheckIntervalSeconds", interval)
    timeout = call.params.get("HealthCheckTimeoutSeconds", timeout)
    if timeout > interval or (timeout == interval and len(given) == 2):
        raise Refusal(
            "ValidationError",
            f"Health check timeout '{timeout}' must be smaller than the interval '{interval}'",
        )


def _codes(value: str) -> list[tuple[int, int]] | None:
    ranges = []
    for item in value.split(","):
        match = _CODES.match(item.strip())
        if match is None:
            return None
        low = int(match.group(1))
        high = int(match.group(2) or low)
        if low > high:
            return None
        ranges.append((low, high))
    return ranges


@rule("tg-matcher", "elbv2", CREATE_OR_MODIFY, ("ValidationError",), docs.MATCHER)
def matcher_codes(call: ApiCall, world: World) -> None:
    group = _known(call, world)
    matcher = call.params.get("Matcher")
    if group is None or not matcher or not group.is_alb:
        return
    grpc = group.protocol_version == "GRPC"
    if grpc and "HttpCode" in matcher:
        raise Refusal(
            "ValidationError", "A target group with protocol version 'GRPC' takes gRPC codes, not HTTP codes"
        )
    if not grpc and "GrpcCode" in matcher:
        raise Refusal(
            "ValidationError",
            f"gRPC codes can only be used with protocol version 'GRPC', not '{group.protocol_version}'",
        )
    field, low, high = ("GrpcCode", 0, 99) if grpc else ("HttpCode", 200, 499)
    value = str(matcher.get(field, ""))
    ranges = _codes(value)
    if ranges is None or any(a < low or b > high for a, b in ranges):
        kind = "gRPC" if grpc else "HTTP"
        raise Refusal(
            "ValidationError",
            f"Health check matcher {kind} code '{value}' must be one or more codes or ranges "
            f"between {low} and {high}",
        )


@rule("tg-health-check-enabled", "elbv2", CREATE_OR_MODIFY, ("ValidationError",), docs.CREATE_TARGET_GROUP)
def health_check_stays_on(call: ApiCall, world: World) -> None:
    group = _known(call, world)
    if group is None or call.params.get("HealthCheckEnabled") is not False:
        return
    if group.target_type in ("instance", "ip"):
        raise Refusal(
            "ValidationError",
            f"Health checks cannot be disabled for target groups with target type '{group.target_type}'",
        )


@rule("tg-protocol-version", "elbv2", ("CreateTargetGroup",), ("ValidationError",), docs.PROTOCOL_VERSION)
def protocol_version(call: ApiCall, world: World) -> None:
    version = call.params.get("ProtocolVersion")
    if not version:
        return  # the aws provider sends an empty value for "not set", which AWS takes as such
    if version.upper() not in PROTOCOL_VERSIONS:
        raise Refusal(
            "ValidationError", f"Protocol version '{version}' must be one of {', '.join(PROTOCOL_VERSIONS)}"
        )
    if Group(call, world).protocol not in ALB_PROTOCOLS:
        raise Refusal(
            "ValidationError", "A protocol version can only be specified for HTTP and HTTPS target groups"
        )


def _attributes(call: ApiCall) -> dict[str, str]:
    return {a.get("Key", ""): str(a.get("Value", "")) for a in call.params.get("Attributes") or []}


@rule(
    "tg-stickiness-cookie-name",
    "elbv2",
    ("ModifyTargetGroupAttributes",),
    ("InvalidConfigurationRequest",),
    docs.STICKY_SESSIONS,
)
def cookie_name_not_reserved(call: ApiCall, _world: World) -> None:
    name = _attributes(call).get("stickiness.app_cookie.cookie_name")
    if name and name.upper().startswith(RESERVED_COOKIE_PREFIXES):
        raise Refusal(
            "InvalidConfigurationRequest",
            f"The application cookie name '{name}' cannot start with a reserved prefix: "
            + ", ".join(RESERVED_COOKIE_PREFIXES),
        )


def _in_range(value: str, low: int, high: int) -> bool:
    return value.isdigit() and low <= int(value) <= high


@rule(
    "tg-attribute-values",
    "elbv2",
    ("ModifyTargetGroupAttributes",),
    ("InvalidConfigurationRequest",),
    docs.TARGET_GROUP_ATTRIBUTE,
)
def attribute_values(call: ApiCall, world: World) -> None:
    group = world.target_group(call.params.get("TargetGroupArn", ""))
    attributes = _attributes(call)
    ranges = {
        "stickiness.lb_cookie.duration_seconds": (1, 604800),
        "stickiness.app_cookie.duration_seconds": (1, 604800),
        "deregistration_delay.timeout_seconds": (0, 3600),
    }
    for key, (low, high) in ranges.items():
        if key in attributes and not _in_range(attributes[key], low, high):
            raise Refusal(
                "InvalidConfigurationRequest",
                f"'{key}' value '{attributes[key]}' must be between {low} and {high}",
            )
    slow = attributes.get("slow_start.duration_seconds")
    if slow is not None and not (slow == "0" or _in_range(slow, 30, 900)):
        raise Refusal(
            "InvalidConfigurationRequest",
            f"'slow_start.duration_seconds' value '{slow}' must be 0 or between 30 and 900",
        )
    algorithm = attributes.get("load_balancing.algorithm.type")
    allowed = ("round_robin", "least_outstanding_requests", "weighted_random")
    if algorithm is not None and algorithm not in allowed:
        raise Refusal(
            "InvalidConfigurationRequest",
            f"'load_balancing.algorithm.type' must be one of {', '.join(allowed)}",
        )
    kind = attributes.get("stickiness.type")
    if (
        kind is not None
        and group is not None
        and group.protocol in ALB_PROTOCOLS
        and kind not in ("lb_cookie", "app_cookie")
    ):
        raise Refusal(
            "InvalidConfigurationRequest",
            f"Stickiness type '{kind}' is not supported for {group.protocol} target groups",
        )


def _placement(target: dict[str, Any], group: Any, world: World) -> None:
    target_id, zone = str(target.get("Id", "")), target.get("AvailabilityZone")
    if group.target_type == "instance":
        if zone is not None:
            raise Refusal("ValidationError", "An Availability Zone cannot be specified for instance targets")
        instance = world.instance(target_id)
        if instance is not None and instance.vpc_id != group.vpc_id:
            raise Refusal(
                "InvalidTarget",
                f"The following targets are not in the target group VPC '{group.vpc_id}': '{target_id}'",
            )
    elif group.target_type == "ip":
        try:
            address = ipaddress.ip_address(target_id)
        except ValueError:
            raise Refusal(
                "ValidationError", f"The IP address '{target_id}' is not a valid IP address"
            ) from None
        inside = any(
            address in s.cidr for s in world.subnets_of(group.vpc_id) if s.cidr.version == address.version
        )
        if inside and zone == "all":
            raise Refusal(
                "ValidationError",
                f"The Availability Zone 'all' cannot be specified for IP address '{target_id}' "
                "because it is in the VPC",
            )
        if not inside:
            if zone is None:
                raise Refusal(
                    "ValidationError",
                    f"The Availability Zone is required for IP address '{target_id}' "
                    "because it is not in the VPC",
                )
            if zone != "all" or not any(address in n for n in PRIVATE_RANGES if n.version == address.version):
                raise Refusal(
                    "ValidationError",
                    f"IP address '{target_id}' is outside the VPC: it must be in 10.0.0.0/8, 172.16.0.0/12, "
                    "192.168.0.0/16 or 100.64.0.0/10, with the Availability Zone 'all'",
                )
    elif group.target_type == "lambda" and arn_region(target_id) not in ("", world.region):
        raise Refusal("InvalidTarget", f"The Lambda function '{target_id}' is not in region '{world.region}'")


@rule(
    "targets",
    "elbv2",
    ("RegisterTargets",),
    ("InvalidTarget", "ValidationError", "TooManyTargets"),
    docs.TARGET_DESCRIPTION,
)
def targets(call: ApiCall, world: World) -> None:
    group = world.target_group(call.params.get("TargetGroupArn", ""))
    if group is None:
        return
    new = call.params.get("Targets") or []
    for target in new:
        _placement(target, group, world)
    registered = set(group.targets) | {str(t.get("Id", "")) for t in new}
    limit = MAX_LAMBDA_TARGETS if group.target_type == "lambda" else MAX_TARGETS
    if len(registered) > limit:
        raise Refusal(
            "TooManyTargets", f"You've reached the limit on the number of targets ({limit} per target group)"
        )


def users_of(world: World, arn: str) -> list[Any]:
    """The listeners whose default action or rules forward to the target group ``arn``."""
    from alblab.strict.rules.listeners import forwarded_groups

    users = []
    for _lb, listener in world.listeners():
        actions = [a.data for rule in list(listener.rules.values()) for a in rule.actions]
        if arn in forwarded_groups(actions):
            users.append(listener)
    return users


@rule("tg-in-use", "elbv2", ("DeleteTargetGroup",), ("ResourceInUse",), docs.DELETE_TARGET_GROUP)
def group_not_in_use(call: ApiCall, world: World) -> None:
    arn = call.params.get("TargetGroupArn", "")
    if users_of(world, arn):
        raise Refusal("ResourceInUse", f"Target group '{arn}' is currently in use by a listener or a rule")
