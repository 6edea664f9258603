"""Typed model of one ALB stack as the AWS API reports it.

Every consumer downstream (verdicts, data plane, CLI, lab) reads this model and nothing else:
the model is filled from boto3 describe calls (``alblab.state``), never from the .tf files, so
what we verify and emulate is what the API says, not what we hoped to configure.

Conventions:
- ports are ints; ``None`` for "all ports" (protocol "-1").
- protocol in security-group rules: "tcp", "udp", "icmp", "icmpv6" or "-1" (all).
- rule priority is an int; a listener's rules are always in evaluation order (ascending priority) and its
  default action is kept apart (``Listener.default_action``); a load balancer's listeners are by port.
- condition values keep the API's strings; ordering inside a condition is not significant.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import pairwise
from typing import Literal

Direction = Literal["ingress", "egress"]
ConditionField = Literal[
    "path-pattern", "host-header", "http-header", "http-request-method", "query-string", "source-ip"
]
ActionType = Literal["forward", "redirect", "fixed-response"]


# --- network ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class SgRule:
    direction: Direction
    protocol: str
    from_port: int | None = None
    to_port: int | None = None
    cidr_ipv4: str | None = None
    cidr_ipv6: str | None = None
    referenced_group_id: str | None = None
    prefix_list_id: str | None = None
    description: str = ""

    def covers_port(self, protocol: str, port: int) -> bool:
        """True when this rule's protocol/port range admits ``protocol``/``port``."""
        if self.protocol == "-1":
            return True
        if self.protocol != protocol:
            return False
        if self.from_port is None or self.to_port is None:
            return True
        # EC2 reports "all ports" for tcp/udp as -1..-1 in some paths; treat it as all.
        if self.from_port == -1 and self.to_port == -1:
            return True
        return self.from_port <= port <= self.to_port


@dataclass(frozen=True)
class SecurityGroup:
    id: str
    name: str
    vpc_id: str
    ingress: tuple[SgRule, ...] = ()
    egress: tuple[SgRule, ...] = ()
    tags: dict[str, str] = field(default_factory=dict, compare=False, hash=False)


@dataclass(frozen=True)
class Subnet:
    id: str
    vpc_id: str
    cidr_ipv4: str
    availability_zone: str
    name: str = ""


@dataclass(frozen=True)
class Instance:
    id: str
    private_ip: str
    subnet_id: str
    availability_zone: str
    security_group_ids: tuple[str, ...]
    state: str = "running"
    name: str = ""
    tags: dict[str, str] = field(default_factory=dict, compare=False, hash=False)


# --- load balancing --------------------------------------------------------------------------


@dataclass(frozen=True)
class Condition:
    field: ConditionField
    values: tuple[str, ...] = ()
    header_name: str | None = None  # http-header only
    # query-string only: (key or None, value) pairs
    query_pairs: tuple[tuple[str | None, str], ...] = ()


@dataclass(frozen=True)
class WeightedTargetGroup:
    target_group_arn: str
    weight: int = 1


@dataclass(frozen=True)
class Redirect:
    protocol: str = "#{protocol}"
    port: str = "#{port}"
    host: str = "#{host}"
    path: str = "/#{path}"
    query: str = "#{query}"
    status_code: str = "HTTP_301"


@dataclass(frozen=True)
class FixedResponse:
    status_code: int
    content_type: str = "text/plain"
    message_body: str = ""


@dataclass(frozen=True)
class Action:
    type: ActionType
    target_groups: tuple[WeightedTargetGroup, ...] = ()
    stickiness_enabled: bool = False
    stickiness_duration: int = 0
    redirect: Redirect | None = None
    fixed_response: FixedResponse | None = None


@dataclass(frozen=True)
class Rule:
    arn: str
    priority: int
    conditions: tuple[Condition, ...]
    action: Action


@dataclass(frozen=True)
class Listener:
    arn: str
    port: int
    protocol: str  # HTTP | HTTPS
    default_action: Action
    rules: tuple[Rule, ...] = ()  # always in evaluation order: ascending priority (see __post_init__)
    ssl_policy: str | None = None
    certificate_arns: tuple[str, ...] = ()  # default certificate first

    def __post_init__(self) -> None:
        # An invariant, so no consumer sorts again: rules in the order the ALB evaluates them.
        rules = tuple(sorted(self.rules, key=lambda r: r.priority))
        for a, b in pairwise(rules):
            if a.priority == b.priority:
                # ELBv2 refuses two rules with one priority: such a listener was not read from the API.
                raise ValueError(f"listener {self.arn}: two rules with priority {a.priority}")
        object.__setattr__(self, "rules", rules)


@dataclass(frozen=True)
class HealthCheck:
    enabled: bool = True
    protocol: str = "HTTP"
    port: str = "traffic-port"
    path: str = "/"
    matcher: str = "200"
    interval: int = 30
    timeout: int = 5
    healthy_threshold: int = 5
    unhealthy_threshold: int = 2


@dataclass(frozen=True)
class Target:
    id: str  # instance id, IP address, or lambda ARN
    port: int | None
    availability_zone: str | None = None
    health: str = "healthy"  # as the API reports it


@dataclass(frozen=True)
class TargetGroup:
    arn: str
    name: str
    target_type: str  # instance | ip | lambda
    protocol: str | None
    port: int | None
    vpc_id: str | None
    health_check: HealthCheck
    attributes: dict[str, str] = field(default_factory=dict, compare=False, hash=False)
    targets: tuple[Target, ...] = ()

    @property
    def algorithm(self) -> str:
        return self.attributes.get("load_balancing.algorithm.type", "round_robin")

    @property
    def stickiness(self) -> str | None:
        """``lb_cookie`` / ``app_cookie`` when stickiness is on, else None."""
        if self.attributes.get("stickiness.enabled") != "true":
            return None
        return self.attributes.get("stickiness.type", "lb_cookie")

    @property
    def slow_start(self) -> int:
        return int(self.attributes.get("slow_start.duration_seconds", "0"))

    def port_of(self, target: Target) -> int | None:
        """The port traffic goes to: the registration's own port, else the group's (None for lambda)."""
        return target.port if target.port is not None else self.port

    def health_check_port(self, target: Target) -> int | None:
        if self.health_check.port == "traffic-port":
            return self.port_of(target)
        return int(self.health_check.port)


@dataclass(frozen=True)
class LoadBalancer:
    arn: str
    name: str
    dns_name: str
    zone_id: str
    internal: bool
    vpc_id: str
    subnet_ids: tuple[str, ...]
    security_group_ids: tuple[str, ...]
    attributes: dict[str, str] = field(default_factory=dict, compare=False, hash=False)
    listeners: tuple[Listener, ...] = ()  # always by port, ascending (see __post_init__)

    def __post_init__(self) -> None:
        object.__setattr__(self, "listeners", tuple(sorted(self.listeners, key=lambda item: item.port)))


@dataclass
class Stack:
    """Everything one example (one ALB and its VPC) consists of, as the API reports it."""

    load_balancer: LoadBalancer
    target_groups: dict[str, TargetGroup]  # by ARN
    instances: dict[str, Instance]  # by id
    security_groups: dict[str, SecurityGroup]  # by id
    subnets: dict[str, Subnet]  # by id
    certificates: dict[str, str] = field(default_factory=dict)  # ARN -> PEM body

    def address_of(self, tg: TargetGroup, target: Target) -> str | None:
        """The IP a target is reached at, or None (lambda, or an instance that is gone or stopped)."""
        if tg.target_type == "ip":
            return target.id
        if tg.target_type == "instance":
            instance = self.instances.get(target.id)
            if instance is None or instance.state not in ("running", "pending"):
                return None
            return instance.private_ip
        return None

    def target_group_by_name(self, name: str) -> TargetGroup:
        for tg in self.target_groups.values():
            if tg.name == name:
                return tg
        raise KeyError(f"no target group named {name!r} in stack {self.load_balancer.name!r}")

    def listener(self, port: int) -> Listener:
        for listener in self.load_balancer.listeners:
            if listener.port == port:
                return listener
        raise KeyError(f"no listener on port {port} in stack {self.load_balancer.name!r}")
