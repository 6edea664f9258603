"""Hand-built model objects for unit tests (no emulator): terse builders for SGs, instances, stacks,
rule conditions, actions and listeners. Other test modules may import from here."""

from __future__ import annotations

from alblab.model import (
    Action,
    Condition,
    FixedResponse,
    HealthCheck,
    Instance,
    Listener,
    LoadBalancer,
    Redirect,
    Rule,
    SecurityGroup,
    SgRule,
    Stack,
    Subnet,
    Target,
    TargetGroup,
    WeightedTargetGroup,
)

VPC = "vpc-0test"
SUBNETS = {
    "subnet-a": Subnet("subnet-a", VPC, "10.0.1.0/24", "us-east-1a", "a"),
    "subnet-b": Subnet("subnet-b", VPC, "10.0.2.0/24", "us-east-1b", "b"),
}

Ports = int | tuple[int, int] | None


# --- security groups ---------------------------------------------------------------------------


def _rule(direction: str, protocol: str, ports: Ports, peer: str, description: str) -> SgRule:
    if ports is None:
        lo, hi = (None, None) if protocol == "-1" else (-1, -1)
    elif isinstance(ports, int):
        lo, hi = ports, ports
    else:
        lo, hi = ports
    kind = (
        "referenced_group_id"
        if peer.startswith("sg-")
        else "prefix_list_id"
        if peer.startswith("pl-")
        else "cidr_ipv6"
        if ":" in peer
        else "cidr_ipv4"
    )
    return SgRule(direction, protocol, lo, hi, description=description, **{kind: peer})  # type: ignore[arg-type]


def ing(protocol: str, ports: Ports, peer: str, description: str = "") -> SgRule:
    """Ingress rule; ``peer`` is a CIDR (v4/v6), ``sg-…`` or ``pl-…``; ``ports`` an int, (lo, hi) or None."""
    return _rule("ingress", protocol, ports, peer, description)


def eg(protocol: str, ports: Ports, peer: str, description: str = "") -> SgRule:
    return _rule("egress", protocol, ports, peer, description)


def sg(
    gid: str, name: str, ingress: tuple[SgRule, ...] = (), egress: tuple[SgRule, ...] = ()
) -> SecurityGroup:
    return SecurityGroup(gid, name, VPC, tuple(ingress), tuple(egress))


def instance(iid: str, ip: str, *groups: str, name: str = "", subnet: str = "subnet-a") -> Instance:
    return Instance(iid, ip, subnet, SUBNETS[subnet].availability_zone, tuple(groups), name=name)


def target_group(arn: str, name: str, port: int, *instance_ids: str) -> TargetGroup:
    return TargetGroup(
        arn,
        name,
        "instance",
        "HTTP",
        port,
        VPC,
        HealthCheck(),
        targets=tuple(Target(i, port) for i in instance_ids),
    )


def stack(
    groups: list[SecurityGroup],
    instances: list[Instance],
    lb_groups: tuple[str, ...] = ("sg-alb",),
    listeners: tuple[Listener, ...] = (),
    target_groups: tuple[TargetGroup, ...] = (),
    name: str = "unit",
) -> Stack:
    lb = LoadBalancer(
        arn=f"arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/{name}/0",
        name=name,
        dns_name=f"{name}.elb.localhost",
        zone_id="Z0",
        internal=False,
        vpc_id=VPC,
        subnet_ids=tuple(SUBNETS),
        security_group_ids=lb_groups,
        listeners=listeners,
    )
    return Stack(
        load_balancer=lb,
        target_groups={tg.arn: tg for tg in target_groups},
        instances={i.id: i for i in instances},
        security_groups={g.id: g for g in groups},
        subnets=dict(SUBNETS),
    )


def chained_stack() -> Stack:
    """The module's intended shape: internet -> ALB SG (80/443) -> target SG (8080 from the ALB SG only)."""
    alb = sg(
        "sg-alb",
        "alb",
        ingress=(ing("tcp", 80, "0.0.0.0/0"), ing("tcp", 443, "0.0.0.0/0"), ing("tcp", 443, "::/0")),
        egress=(eg("tcp", 8080, "sg-web"),),
    )
    web = sg("sg-web", "web", ingress=(ing("tcp", 8080, "sg-alb"),))
    return stack(
        [alb, web],
        [instance("i-web1", "10.0.1.4", "sg-web", name="web1"), instance("i-web2", "10.0.2.4", "sg-web")],
    )


# --- listener rules ------------------------------------------------------------------------------


def path(*values: str) -> Condition:
    return Condition("path-pattern", values)


def host(*values: str) -> Condition:
    return Condition("host-header", values)


def header(name: str, *values: str) -> Condition:
    return Condition("http-header", values, header_name=name)


def method(*values: str) -> Condition:
    return Condition("http-request-method", values)


def query(*pairs: tuple[str | None, str]) -> Condition:
    return Condition("query-string", query_pairs=pairs)


def source_ip(*cidrs: str) -> Condition:
    return Condition("source-ip", cidrs)


def tg_arn(name: str) -> str:
    return f"arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/{name}/0"


def forward(*names: str, weights: tuple[int, ...] = ()) -> Action:
    weights = weights or (1,) * len(names)
    return Action(
        "forward", tuple(WeightedTargetGroup(tg_arn(n), w) for n, w in zip(names, weights, strict=True))
    )


def fixed(status: int, body: str = "") -> Action:
    return Action("fixed-response", fixed_response=FixedResponse(status, message_body=body))


def redirect(status: int = 301, **fields: str) -> Action:
    return Action("redirect", redirect=Redirect(status_code=f"HTTP_{status}", **fields))


def rule(priority: int, action: Action, *conditions: Condition) -> Rule:
    return Rule(f"arn:rule/{priority}", priority, tuple(conditions), action)


def listener(default: Action, *rules: Rule, port: int = 80, protocol: str = "HTTP") -> Listener:
    return Listener(f"arn:listener/{port}", port, protocol, default, tuple(rules))
