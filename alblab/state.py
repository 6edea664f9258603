"""boto3 readers: fill ``alblab.model.Stack`` from what the AWS API (or the emulator) reports.

moto's state is shared by every example of a session, so every call is scoped: the ALB by name,
everything else by the ALB's ARN or VPC. moto returns rules unsorted and reorders condition values
and forward target groups; the readers sort so consumers can compare.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any

from alblab.aws_env import DEFAULT_KEY, REGION, fake_aws_env
from alblab.errors import StateError
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


@dataclass(frozen=True)
class AwsClients:
    ec2: Any
    elbv2: Any
    acm: Any
    s3: Any
    wafv2: Any
    route53: Any


_loader_lock = threading.Lock()
_loader: Any = None


def _botocore_session() -> Any:
    """A new botocore session that shares this process's one model loader: each session would otherwise
    parse the service models again (EC2's alone costs about 0.3 CPU-s), and a console or a test session
    makes clients many times. boto3 is imported here, not with the module: a command that never calls the
    API (``alblab lab next``, ``--help``) does not pay for it."""
    global _loader
    import botocore.session

    session = botocore.session.get_session()
    with _loader_lock:
        if _loader is None:
            _loader = session.get_component("data_loader")
        else:
            session.register_component("data_loader", _loader)
    return session


def aws_clients(endpoint: str | None, region: str = REGION, access_key: str = DEFAULT_KEY) -> AwsClients:
    """Clients for the emulator at ``endpoint`` (fake keys forced; ``access_key`` picks the emulated
    account), or real AWS when ``endpoint`` is None."""
    import boto3
    from botocore.config import Config

    config = Config(retries={"max_attempts": 3, "mode": "standard"})
    if endpoint:
        fake = fake_aws_env(endpoint, access_key)
        session = boto3.session.Session(
            aws_access_key_id=fake["AWS_ACCESS_KEY_ID"],
            aws_secret_access_key=fake["AWS_SECRET_ACCESS_KEY"],
            region_name=region,
            botocore_session=_botocore_session(),
        )
    else:
        session = boto3.session.Session(region_name=region, botocore_session=_botocore_session())

    def client(service: str) -> Any:
        return session.client(service, endpoint_url=endpoint, config=config)  # type: ignore[call-overload]

    return AwsClients(*(client(s) for s in ("ec2", "elbv2", "acm", "s3", "wafv2", "route53")))


# --- load balancing ----------------------------------------------------------------------------


def parse_action(actions: list[dict[str, Any]]) -> Action:
    # The terminal action is the last by Order (authenticate-* actions would come first).
    action = sorted(actions, key=lambda a: int(a.get("Order", 1)))[-1]
    kind = action["Type"]
    if kind == "forward":
        config = action.get("ForwardConfig") or {}
        groups = config.get("TargetGroups") or [{"TargetGroupArn": action["TargetGroupArn"], "Weight": 1}]
        stickiness = config.get("TargetGroupStickinessConfig") or {}
        return Action(
            type="forward",
            target_groups=tuple(
                sorted(
                    (WeightedTargetGroup(g["TargetGroupArn"], int(g.get("Weight", 1))) for g in groups),
                    key=lambda g: g.target_group_arn,
                )
            ),
            stickiness_enabled=bool(stickiness.get("Enabled", False)),
            stickiness_duration=int(stickiness.get("DurationSeconds", 0) or 0),
        )
    if kind == "redirect":
        c = action["RedirectConfig"]
        default = Redirect()
        return Action(
            type="redirect",
            redirect=Redirect(
                protocol=c.get("Protocol", default.protocol),
                port=str(c.get("Port", default.port)),
                host=c.get("Host", default.host),
                path=c.get("Path", default.path),
                query=c.get("Query", default.query),
                status_code=c.get("StatusCode", default.status_code),
            ),
        )
    if kind == "fixed-response":
        c = action["FixedResponseConfig"]
        return Action(
            type="fixed-response",
            fixed_response=FixedResponse(
                status_code=int(c["StatusCode"]),
                content_type=c.get("ContentType", "text/plain"),
                message_body=c.get("MessageBody", ""),
            ),
        )
    raise ValueError(f"unsupported action type {kind!r}")


_CONFIG_KEYS = {
    "path-pattern": "PathPatternConfig",
    "host-header": "HostHeaderConfig",
    "http-request-method": "HttpRequestMethodConfig",
    "source-ip": "SourceIpConfig",
}


def parse_condition(raw: dict[str, Any]) -> Condition:
    field = raw["Field"]
    if field == "http-header":
        c = raw["HttpHeaderConfig"]
        return Condition(field=field, values=tuple(sorted(c["Values"])), header_name=c["HttpHeaderName"])
    if field == "query-string":
        pairs = ((p.get("Key"), p["Value"]) for p in raw["QueryStringConfig"]["Values"])
        return Condition(field=field, query_pairs=tuple(sorted(pairs, key=lambda p: (p[0] or "", p[1]))))
    config = raw.get(_CONFIG_KEYS.get(field, ""), {})
    values = config.get("Values") or raw.get("Values") or []
    return Condition(field=field, values=tuple(sorted(values)))


def read_rules(elbv2: Any, listener_arn: str) -> tuple[Action, tuple[Rule, ...]]:
    default: Action | None = None
    rules: list[Rule] = []
    for page in elbv2.get_paginator("describe_rules").paginate(ListenerArn=listener_arn):
        for raw in page["Rules"]:
            if raw.get("IsDefault") or raw["Priority"] == "default":
                default = parse_action(raw["Actions"])
                continue
            conditions = tuple(
                sorted(
                    (parse_condition(c) for c in raw["Conditions"]),
                    key=lambda c: (c.field, c.header_name or ""),
                )
            )
            rules.append(Rule(raw["RuleArn"], int(raw["Priority"]), conditions, parse_action(raw["Actions"])))
    if default is None:
        raise ValueError(f"listener {listener_arn} has no default rule")
    return default, tuple(rules)


def read_listeners(elbv2: Any, lb_arn: str) -> tuple[Listener, ...]:
    listeners = []
    for page in elbv2.get_paginator("describe_listeners").paginate(LoadBalancerArn=lb_arn):
        for raw in page["Listeners"]:
            default, rules = read_rules(elbv2, raw["ListenerArn"])
            certs = [c["CertificateArn"] for c in raw.get("Certificates", [])]
            if raw["Protocol"] == "HTTPS":
                listed = elbv2.describe_listener_certificates(ListenerArn=raw["ListenerArn"])["Certificates"]
                extra = sorted(c["CertificateArn"] for c in listed if not c.get("IsDefault"))
                certs = certs[:1] + [arn for arn in extra if arn not in certs[:1]]
            listeners.append(
                Listener(
                    arn=raw["ListenerArn"],
                    port=int(raw["Port"]),
                    protocol=raw["Protocol"],
                    default_action=default,
                    rules=rules,
                    ssl_policy=raw.get("SslPolicy"),
                    certificate_arns=tuple(certs),
                )
            )
    return tuple(listeners)


def referenced_target_groups(listeners: tuple[Listener, ...]) -> set[str]:
    arns: set[str] = set()
    for listener in listeners:
        for action in [listener.default_action, *(r.action for r in listener.rules)]:
            arns.update(g.target_group_arn for g in action.target_groups)
    return arns


def read_target_group(elbv2: Any, raw: dict[str, Any]) -> TargetGroup:
    arn = raw["TargetGroupArn"]
    attributes = {
        a["Key"]: a["Value"] for a in elbv2.describe_target_group_attributes(TargetGroupArn=arn)["Attributes"]
    }
    health = elbv2.describe_target_health(TargetGroupArn=arn)["TargetHealthDescriptions"]
    targets = tuple(
        sorted(
            (
                Target(
                    id=h["Target"]["Id"],
                    port=h["Target"].get("Port"),
                    availability_zone=h["Target"].get("AvailabilityZone"),
                    health=h.get("TargetHealth", {}).get("State", "unknown"),
                )
                for h in health
            ),
            key=lambda t: (t.id, t.port or 0),
        )
    )
    default = HealthCheck()
    return TargetGroup(
        arn=arn,
        name=raw["TargetGroupName"],
        target_type=raw.get("TargetType", "instance"),
        protocol=raw.get("Protocol"),
        port=raw.get("Port"),
        vpc_id=raw.get("VpcId"),
        health_check=HealthCheck(
            enabled=bool(raw.get("HealthCheckEnabled", True)),
            protocol=raw.get("HealthCheckProtocol", default.protocol),
            port=str(raw.get("HealthCheckPort", default.port)),
            path=raw.get("HealthCheckPath", default.path),
            matcher=(raw.get("Matcher") or {}).get("HttpCode", default.matcher),
            interval=int(raw.get("HealthCheckIntervalSeconds", default.interval)),
            timeout=int(raw.get("HealthCheckTimeoutSeconds", default.timeout)),
            healthy_threshold=int(raw.get("HealthyThresholdCount", default.healthy_threshold)),
            unhealthy_threshold=int(raw.get("UnhealthyThresholdCount", default.unhealthy_threshold)),
        ),
        attributes=attributes,
        targets=targets,
    )


def read_target_groups(elbv2: Any, lb_arn: str, extra_arns: set[str]) -> dict[str, TargetGroup]:
    try:
        listed = elbv2.describe_target_groups(LoadBalancerArn=lb_arn)["TargetGroups"]
    except elbv2.exceptions.TargetGroupNotFoundException:
        # moto's answer for an ALB without target groups (one that only redirects or answers itself).
        listed = []
    raws = {t["TargetGroupArn"]: t for t in listed}
    missing = sorted(extra_arns - raws.keys())
    if missing:
        raws.update(
            {
                t["TargetGroupArn"]: t
                for t in elbv2.describe_target_groups(TargetGroupArns=missing)["TargetGroups"]
            }
        )
    return {arn: read_target_group(elbv2, raw) for arn, raw in sorted(raws.items())}


# --- network -----------------------------------------------------------------------------------


def _tags(raw: dict[str, Any]) -> dict[str, str]:
    return {t["Key"]: t["Value"] for t in raw.get("Tags", [])}


def _port(value: Any, protocol: str) -> int | None:
    if protocol == "-1" or value is None:
        return None
    return int(value)


def _rule_key(r: SgRule) -> tuple[str, ...]:
    return (
        r.protocol,
        str(r.from_port),
        str(r.to_port),
        str(r.cidr_ipv4),
        str(r.cidr_ipv6),
        str(r.referenced_group_id),
        str(r.prefix_list_id),
    )


def parse_permissions(direction: str, permissions: list[dict[str, Any]]) -> tuple[SgRule, ...]:
    rules: list[SgRule] = []
    for perm in permissions:
        protocol = str(perm.get("IpProtocol", "-1"))
        protocol = {"6": "tcp", "17": "udp", "1": "icmp", "58": "icmpv6"}.get(protocol, protocol)
        common = {
            "direction": direction,
            "protocol": protocol,
            "from_port": _port(perm.get("FromPort"), protocol),
            "to_port": _port(perm.get("ToPort"), protocol),
        }
        for r in perm.get("IpRanges", []):
            rules.append(SgRule(**common, cidr_ipv4=r["CidrIp"], description=r.get("Description", "")))
        for r in perm.get("Ipv6Ranges", []):
            rules.append(SgRule(**common, cidr_ipv6=r["CidrIpv6"], description=r.get("Description", "")))
        for r in perm.get("UserIdGroupPairs", []):
            group = r["GroupId"].split("/")[-1]
            rules.append(SgRule(**common, referenced_group_id=group, description=r.get("Description", "")))
        for r in perm.get("PrefixListIds", []):
            rules.append(
                SgRule(**common, prefix_list_id=r["PrefixListId"], description=r.get("Description", ""))
            )
    return tuple(sorted(rules, key=_rule_key))


def read_security_groups(ec2: Any, vpc_id: str, extra_ids: set[str]) -> dict[str, SecurityGroup]:
    raws = ec2.describe_security_groups(Filters=[{"Name": "vpc-id", "Values": [vpc_id]}])["SecurityGroups"]
    seen = {g["GroupId"] for g in raws}
    missing = sorted(extra_ids - seen)
    if missing:
        raws += ec2.describe_security_groups(GroupIds=missing)["SecurityGroups"]
    groups = {}
    for raw in raws:
        groups[raw["GroupId"]] = SecurityGroup(
            id=raw["GroupId"],
            name=raw["GroupName"],
            vpc_id=raw.get("VpcId", ""),
            ingress=parse_permissions("ingress", raw.get("IpPermissions", [])),
            egress=parse_permissions("egress", raw.get("IpPermissionsEgress", [])),
            tags=_tags(raw),
        )
    return dict(sorted(groups.items()))


def read_instances(ec2: Any, vpc_id: str) -> dict[str, Instance]:
    instances = {}
    filters = [
        {"Name": "vpc-id", "Values": [vpc_id]},
        {"Name": "instance-state-name", "Values": ["pending", "running", "stopping", "stopped"]},
    ]
    for page in ec2.get_paginator("describe_instances").paginate(Filters=filters):
        for reservation in page["Reservations"]:
            for raw in reservation["Instances"]:
                tags = _tags(raw)
                instances[raw["InstanceId"]] = Instance(
                    id=raw["InstanceId"],
                    private_ip=raw.get("PrivateIpAddress", ""),
                    subnet_id=raw.get("SubnetId", ""),
                    availability_zone=raw["Placement"]["AvailabilityZone"],
                    security_group_ids=tuple(sorted(g["GroupId"] for g in raw.get("SecurityGroups", []))),
                    state=raw["State"]["Name"],
                    name=tags.get("Name", ""),
                    tags=tags,
                )
    return dict(sorted(instances.items()))


def read_subnets(ec2: Any, vpc_id: str) -> dict[str, Subnet]:
    raws = ec2.describe_subnets(Filters=[{"Name": "vpc-id", "Values": [vpc_id]}])["Subnets"]
    return {
        s["SubnetId"]: Subnet(
            id=s["SubnetId"],
            vpc_id=s["VpcId"],
            cidr_ipv4=s["CidrBlock"],
            availability_zone=s["AvailabilityZone"],
            name=_tags(s).get("Name", ""),
        )
        for s in sorted(raws, key=lambda s: s["CidrBlock"])
    }


def read_certificates(acm: Any, listeners: tuple[Listener, ...]) -> dict[str, str]:
    arns = sorted({arn for listener in listeners for arn in listener.certificate_arns})
    return {arn: acm.get_certificate(CertificateArn=arn)["Certificate"] for arn in arns}


# --- the whole stack ---------------------------------------------------------------------------


class LoadBalancerNotFound(StateError):
    pass


def read_load_balancer(elbv2: Any, alb_name: str | None = None, arn: str | None = None) -> dict[str, Any]:
    """One load balancer by ARN (preferred: unique) or by name."""
    what = f"ARN {arn}" if arn else f"name {alb_name!r}"
    try:
        if arn:
            found = elbv2.describe_load_balancers(LoadBalancerArns=[arn])["LoadBalancers"]
        elif alb_name:
            found = elbv2.describe_load_balancers(Names=[alb_name])["LoadBalancers"]
        else:
            raise ValueError("read_load_balancer needs a name or an ARN")
    except elbv2.exceptions.LoadBalancerNotFoundException as exc:
        raise LoadBalancerNotFound(f"the AWS API knows no load balancer with {what}") from exc
    if len(found) != 1:
        raise LoadBalancerNotFound(f"expected one load balancer with {what}, found {len(found)}")
    return dict(found[0])


def read_stack(clients: AwsClients, alb_name: str | None = None, *, arn: str | None = None) -> Stack:
    """The stack around one ALB, found by ``arn`` (preferred) or ``alb_name``."""
    raw = read_load_balancer(clients.elbv2, alb_name, arn)
    arn, vpc_id = raw["LoadBalancerArn"], raw["VpcId"]
    attributes = {
        a["Key"]: a["Value"]
        for a in clients.elbv2.describe_load_balancer_attributes(LoadBalancerArn=arn)["Attributes"]
    }
    listeners = read_listeners(clients.elbv2, arn)
    lb = LoadBalancer(
        arn=arn,
        name=raw["LoadBalancerName"],
        dns_name=raw["DNSName"],
        zone_id=raw.get("CanonicalHostedZoneId", ""),
        # moto leaves Scheme out for internet-facing load balancers.
        internal=raw.get("Scheme") == "internal",
        vpc_id=vpc_id,
        subnet_ids=tuple(sorted(az["SubnetId"] for az in raw.get("AvailabilityZones", []))),
        security_group_ids=tuple(sorted(raw.get("SecurityGroups", []))),
        attributes=attributes,
        listeners=listeners,
    )
    instances = read_instances(clients.ec2, vpc_id)
    sg_ids = set(lb.security_group_ids) | {g for i in instances.values() for g in i.security_group_ids}
    return Stack(
        load_balancer=lb,
        target_groups=read_target_groups(clients.elbv2, arn, referenced_target_groups(listeners)),
        instances=instances,
        security_groups=read_security_groups(clients.ec2, vpc_id, sg_ids),
        subnets=read_subnets(clients.ec2, vpc_id),
        certificates=read_certificates(clients.acm, listeners),
    )


# --- leak check --------------------------------------------------------------------------------


def _named(prefix: str, *names: str | None) -> bool:
    return any(n and (n == prefix or n.startswith(f"{prefix}-") or n.startswith(f"{prefix}.")) for n in names)


def find_leftovers(clients: AwsClients, prefix: str) -> list[str]:
    """Resources still up whose name or Name tag belongs to ``prefix`` (an example's unique name)."""
    left: list[str] = []
    ec2, elbv2 = clients.ec2, clients.elbv2
    for lb in elbv2.describe_load_balancers()["LoadBalancers"]:
        if _named(prefix, lb["LoadBalancerName"]):
            left.append(f"load balancer {lb['LoadBalancerName']}")
    for tg in elbv2.describe_target_groups()["TargetGroups"]:
        if _named(prefix, tg["TargetGroupName"]):
            left.append(f"target group {tg['TargetGroupName']}")
    for reservation in ec2.describe_instances()["Reservations"]:
        for i in reservation["Instances"]:
            if i["State"]["Name"] != "terminated" and _named(prefix, _tags(i).get("Name")):
                left.append(f"instance {i['InstanceId']} ({_tags(i).get('Name')})")
    for kind, call, key, id_key in (
        ("vpc", ec2.describe_vpcs, "Vpcs", "VpcId"),
        ("subnet", ec2.describe_subnets, "Subnets", "SubnetId"),
        ("internet gateway", ec2.describe_internet_gateways, "InternetGateways", "InternetGatewayId"),
        ("route table", ec2.describe_route_tables, "RouteTables", "RouteTableId"),
    ):
        for item in call()[key]:
            if _named(prefix, _tags(item).get("Name")):
                left.append(f"{kind} {item[id_key]} ({_tags(item).get('Name')})")
    for sg in ec2.describe_security_groups()["SecurityGroups"]:
        if _named(prefix, sg["GroupName"], _tags(sg).get("Name")):
            left.append(f"security group {sg['GroupId']} ({sg['GroupName']})")
    for pl in ec2.describe_managed_prefix_lists()["PrefixLists"]:
        if _named(prefix, pl.get("PrefixListName")):
            left.append(f"prefix list {pl['PrefixListId']}")
    for cert in clients.acm.list_certificates()["CertificateSummaryList"]:
        tags = clients.acm.list_tags_for_certificate(CertificateArn=cert["CertificateArn"]).get("Tags", [])
        if _named(prefix, *(t.get("Value") for t in tags if t["Key"] == "Name")):
            left.append(f"certificate {cert['CertificateArn']}")
    for bucket in clients.s3.list_buckets().get("Buckets", []):
        if _named(prefix, bucket["Name"]):
            left.append(f"bucket {bucket['Name']}")
    for zone in clients.route53.list_hosted_zones()["HostedZones"]:
        if _named(prefix, zone["Name"].rstrip(".")):
            left.append(f"hosted zone {zone['Name']}")
    for acl in clients.wafv2.list_web_acls(Scope="REGIONAL").get("WebACLs", []):
        if _named(prefix, acl["Name"]):
            left.append(f"web ACL {acl['Name']}")
    return left


# --- what a destroy left behind, for any configuration -----------------------------------------


def _exists(clients: AwsClients, kind: str, values: dict[str, Any]) -> bool | None:
    """Does the resource Terraform recorded still exist? None for a type this check does not know."""
    ec2, elbv2 = clients.ec2, clients.elbv2
    rid = str(values.get("id") or "")
    arn = str(values.get("arn") or rid)
    try:
        if kind in ("aws_lb", "aws_alb"):
            return bool(elbv2.describe_load_balancers(LoadBalancerArns=[arn])["LoadBalancers"])
        if kind in ("aws_lb_target_group", "aws_alb_target_group"):
            return bool(elbv2.describe_target_groups(TargetGroupArns=[arn])["TargetGroups"])
        if kind in ("aws_lb_listener", "aws_alb_listener"):
            return bool(elbv2.describe_listeners(ListenerArns=[arn])["Listeners"])
        if kind in ("aws_lb_listener_rule", "aws_alb_listener_rule"):
            return bool(elbv2.describe_rules(RuleArns=[arn])["Rules"])
        if kind == "aws_instance":
            found = ec2.describe_instances(InstanceIds=[rid])["Reservations"]
            states = [i["State"]["Name"] for r in found for i in r["Instances"]]
            return any(s not in ("terminated", "shutting-down") for s in states)
        if kind == "aws_security_group":
            return bool(ec2.describe_security_groups(GroupIds=[rid])["SecurityGroups"])
        if kind in ("aws_vpc_security_group_ingress_rule", "aws_vpc_security_group_egress_rule"):
            rule_id = str(values.get("security_group_rule_id") or rid)
            found_rules = ec2.describe_security_group_rules(SecurityGroupRuleIds=[rule_id])
            return bool(found_rules["SecurityGroupRules"])
        if kind == "aws_vpc":
            return bool(ec2.describe_vpcs(VpcIds=[rid])["Vpcs"])
        if kind == "aws_subnet":
            return bool(ec2.describe_subnets(SubnetIds=[rid])["Subnets"])
        if kind == "aws_internet_gateway":
            return bool(ec2.describe_internet_gateways(InternetGatewayIds=[rid])["InternetGateways"])
        if kind == "aws_route_table":
            return bool(ec2.describe_route_tables(RouteTableIds=[rid])["RouteTables"])
        if kind == "aws_s3_bucket":
            return rid in {b["Name"] for b in clients.s3.list_buckets().get("Buckets", [])}
        if kind == "aws_acm_certificate":
            listed = clients.acm.list_certificates()["CertificateSummaryList"]
            return arn in {c["CertificateArn"] for c in listed}
    except Exception as exc:  # "not found" errors differ per service; a missing object is the answer wanted
        text = str(exc)
        if "NotFound" in text or "does not exist" in text or "InvalidID" in text or "Malformed" in text:
            return False
        raise
    return None


def leftover(clients: AwsClients, address: str, kind: str, values: dict[str, Any]) -> str | None:
    """``"<address> (<id>)"`` when the API still knows a resource Terraform destroyed, else None."""
    return f"{address} ({values.get('id')})" if _exists(clients, kind, values) else None
