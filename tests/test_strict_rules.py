"""The strict emulator refuses what AWS refuses: one test per rule, each driving the request through boto3
against a real emulator process and asserting AWS's error code (and, where AWS's wording is known, its
message); after every refusal the emulator's whole state (moto's /moto-api/data.json) is what it was
before, and the emulator still answers.

Every rule here is accepted by plain moto: run this module with ``ALBLAB_EMULATOR=lenient`` to watch the
tests fail. Each test names the AWS documentation page of its rule in its docstring.
"""

from __future__ import annotations

import json
import re
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from alblab.emulator import Emulator
from alblab.strict import rules as _rules  # noqa: F401  (registers the rules)
from alblab.strict.registry import RULES
from alblab.workspace import MOTO_AMI, write_self_signed

REGION = "us-east-1"
# Asked after each refusal to see the emulator still answers; moto answers it from constants.
PROBE = "DescribeAccountLimits"
COVERED: set[str] = set()


def covers(*rule_ids: str) -> Callable[[Callable[..., None]], Callable[..., None]]:
    """Mark the rules a test proves (``test_every_rule_has_a_test`` compares them with the registry)."""
    COVERED.update(rule_ids)
    return lambda fn: fn


@dataclass
class Aws:
    endpoint: str
    ec2: Any
    elbv2: Any
    acm: Any
    wafv2: Any
    names: Iterator[int] = field(default_factory=lambda: iter(range(1, 10_000)))
    calls: int = 0  # calls that may change moto's state (a describe can: moto moves new ALBs to "active")
    _snapshot: tuple[int, Any] | None = None

    def __post_init__(self) -> None:
        for client in (self.ec2, self.elbv2, self.acm, self.wafv2):
            client.meta.events.register("before-call", self._count)

    def _count(self, model: Any, **_kwargs: Any) -> None:
        if model.name != PROBE:
            self.calls += 1

    def name(self, prefix: str) -> str:
        return f"{prefix}{next(self.names)}"

    def state(self) -> Any:
        """moto's whole state; the last one read is reused while no call could have changed it."""
        if self._snapshot is not None and self._snapshot[0] == self.calls:
            return self._snapshot[1]
        with urllib.request.urlopen(f"{self.endpoint}/moto-api/data.json", timeout=30) as answer:
            state = json.loads(answer.read())
        self._snapshot = (self.calls, state)
        return state

    def state_after_refusal(self) -> Any:
        self._snapshot = None
        return self.state()


def refused(aws: Aws, code: str, call: Callable[[], Any], message: str | None = None) -> str:
    """``call`` fails with AWS's ``code`` (and ``message``, a regex), changes nothing, and the emulator
    answers the next request."""
    before = aws.state()
    with pytest.raises(ClientError) as info:
        call()
    error = info.value.response["Error"]
    assert error["Code"] == code, error
    if message is not None:
        assert re.search(message, error["Message"]), error["Message"]
    assert aws.state_after_refusal() == before, f"the refused request changed the emulator's state ({error})"
    aws.elbv2.describe_account_limits()
    return str(error["Message"])


@pytest.fixture(scope="module")
def aws(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Aws]:
    # The mode comes from ALBLAB_EMULATOR as for every emulator alblab starts (strict unless set). Without
    # moto's thousand default AMIs (unused here) a state snapshot takes ~0.1 s instead of ~1 s.
    with pytest.MonkeyPatch.context() as env:
        env.setenv("MOTO_EC2_LOAD_DEFAULT_AMIS", "false")
        emulator = Emulator(state_dir=tmp_path_factory.mktemp("strict-emulator")).start()
    # No client-side validation and no retries: the emulator's own answer is under test.
    config = Config(parameter_validation=False, retries={"max_attempts": 1, "mode": "standard"})
    session = boto3.session.Session(
        aws_access_key_id="test", aws_secret_access_key="test", region_name=REGION
    )

    def client(service: str) -> Any:
        return session.client(service, endpoint_url=emulator.endpoint, config=config)

    try:
        yield Aws(emulator.endpoint, client("ec2"), client("elbv2"), client("acm"), client("wafv2"))
    finally:
        emulator.stop()


@dataclass
class Net:
    vpc: str
    subnets: list[str]
    same_zone_subnet: str
    sg: str
    other_vpc: str
    other_subnet: str
    other_sg: str
    instance: str
    other_instance: str
    lb: str
    tg: str
    listener: str


@pytest.fixture(scope="module")
def net(aws: Aws) -> Net:
    """A VPC with two subnets in two AZs (and a third in the first AZ), a second VPC, an ALB with an HTTP
    listener forwarding to an instance group: the valid neighbourhood every mistake below is made in."""
    ec2, elbv2 = aws.ec2, aws.elbv2
    vpc = ec2.create_vpc(CidrBlock="10.30.0.0/16")["Vpc"]["VpcId"]
    subnets = [
        ec2.create_subnet(VpcId=vpc, CidrBlock=cidr, AvailabilityZone=zone)["Subnet"]["SubnetId"]
        for cidr, zone in (("10.30.0.0/20", "us-east-1a"), ("10.30.16.0/20", "us-east-1b"))
    ]
    same_zone = ec2.create_subnet(VpcId=vpc, CidrBlock="10.30.32.0/24", AvailabilityZone="us-east-1a")
    other_vpc = ec2.create_vpc(CidrBlock="10.31.0.0/16")["Vpc"]["VpcId"]
    other_subnet = ec2.create_subnet(VpcId=other_vpc, CidrBlock="10.31.1.0/24", AvailabilityZone="us-east-1b")
    sg = ec2.create_security_group(GroupName="strict-alb", Description="alb", VpcId=vpc)["GroupId"]
    other_sg = ec2.create_security_group(GroupName="strict-other", Description="x", VpcId=other_vpc)[
        "GroupId"
    ]

    def instance(subnet: str, group: str) -> str:
        run = ec2.run_instances(
            ImageId=MOTO_AMI, MinCount=1, MaxCount=1, SubnetId=subnet, SecurityGroupIds=[group]
        )
        return str(run["Instances"][0]["InstanceId"])

    lb = elbv2.create_load_balancer(Name="strict", Subnets=subnets, SecurityGroups=[sg])["LoadBalancers"][0]
    tg = elbv2.create_target_group(Name="strict-web", Protocol="HTTP", Port=8080, VpcId=vpc)["TargetGroups"][
        0
    ]
    listener = elbv2.create_listener(
        LoadBalancerArn=lb["LoadBalancerArn"],
        Protocol="HTTP",
        Port=80,
        DefaultActions=[{"Type": "forward", "TargetGroupArn": tg["TargetGroupArn"]}],
    )["Listeners"][0]
    return Net(
        vpc=vpc,
        subnets=subnets,
        same_zone_subnet=same_zone["Subnet"]["SubnetId"],
        sg=sg,
        other_vpc=other_vpc,
        other_subnet=other_subnet["Subnet"]["SubnetId"],
        other_sg=other_sg,
        instance=instance(subnets[0], sg),
        other_instance=instance(other_subnet["Subnet"]["SubnetId"], other_sg),
        lb=lb["LoadBalancerArn"],
        tg=tg["TargetGroupArn"],
        listener=listener["ListenerArn"],
    )


def group(aws: Aws, net: Net, **extra: Any) -> str:
    params = {"Name": aws.name("g"), "Protocol": "HTTP", "Port": 80, "VpcId": net.vpc, **extra}
    return str(aws.elbv2.create_target_group(**params)["TargetGroups"][0]["TargetGroupArn"])


def forward(arn: str) -> list[dict[str, Any]]:
    return [{"Type": "forward", "TargetGroupArn": arn}]


def path_rule(values: list[str]) -> list[dict[str, Any]]:
    return [{"Field": "path-pattern", "PathPatternConfig": {"Values": values}}]


def certificate(aws: Aws, tmp_path: Path) -> str:
    crt, key = write_self_signed(tmp_path, aws.name("c"), ["example.com"])
    imported = aws.acm.import_certificate(Certificate=crt.read_bytes(), PrivateKey=key.read_bytes())
    return str(imported["CertificateArn"])


# --- the API model's shapes ---------------------------------------------------------------------------------


@covers("shapes")
def test_model_constraints_are_refused_in_aws_words(aws: Aws, net: Net) -> None:
    """https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_CreateTargetGroup.html
    (HealthCheckIntervalSeconds 5-300), API_Tag.html (tag value pattern); the message form is AWS's
    ("1 validation error detected: Value '0' at 'port' failed to satisfy constraint: ...")."""
    message = refused(
        aws,
        "ValidationError",
        lambda: group(aws, net, HealthCheckIntervalSeconds=301),
    )
    assert message == (
        "1 validation error detected: Value '301' at 'healthCheckIntervalSeconds' failed to satisfy "
        "constraint: Member must have value less than or equal to 300"
    )
    refused(
        aws,
        "ValidationError",
        lambda: group(aws, net, Tags=[{"Key": "team", "Value": "web#1"}], HealthCheckPath="/" + "x" * 1024),
        r"^2 validation errors detected: .*'healthCheckPath'.*; Value 'web#1' at 'tags\.1\.member\.value'",
    )
    refused(
        aws,
        "ValidationError",
        lambda: aws.elbv2.create_target_group(Protocol="HTTP", Port=80, VpcId=net.vpc),
        r"Value null at 'name' failed to satisfy constraint: Member must not be null",
    )


# --- load balancers -----------------------------------------------------------------------------------------


@covers("lb-subnets")
def test_an_alb_needs_two_subnets_in_two_zones_of_one_vpc(aws: Aws, net: Net) -> None:
    """https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_CreateLoadBalancer.html
    (Subnets: "[Application Load Balancers] You must specify subnets from at least two Availability
    Zones"; one subnet per zone)."""
    create = aws.elbv2.create_load_balancer
    refused(
        aws,
        "ValidationError",
        lambda: create(Name=aws.name("lb"), Subnets=[net.subnets[0]]),
        "^At least two subnets in two different Availability Zones must be specified$",
    )
    refused(
        aws,
        "InvalidConfigurationRequest",
        lambda: create(Name=aws.name("lb"), Subnets=[net.subnets[0], net.same_zone_subnet]),
        "multiple subnets in the same Availability Zone",
    )
    refused(
        aws,
        "InvalidConfigurationRequest",
        lambda: create(Name=aws.name("lb"), Subnets=[net.subnets[0], net.other_subnet]),
    )
    refused(
        aws,
        "ValidationError",
        lambda: aws.elbv2.set_subnets(LoadBalancerArn=net.lb, Subnets=[net.subnets[1]]),
    )


@covers("lb-security-groups")
def test_alb_security_groups_come_from_its_vpc(aws: Aws, net: Net) -> None:
    """https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_SetSecurityGroups.html
    (InvalidSecurityGroup: the specified security group does not exist; groups belong to the VPC)."""
    refused(
        aws,
        "InvalidSecurityGroup",
        lambda: aws.elbv2.create_load_balancer(
            Name=aws.name("lb"), Subnets=net.subnets, SecurityGroups=[net.other_sg]
        ),
    )
    refused(
        aws,
        "InvalidSecurityGroup",
        lambda: aws.elbv2.set_security_groups(LoadBalancerArn=net.lb, SecurityGroups=[net.other_sg]),
    )


@covers("lb-name")
def test_an_alb_name_may_not_start_with_internal(aws: Aws, net: Net) -> None:
    """https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_CreateLoadBalancer.html
    (Name: at most 32 alphanumerics or hyphens, not beginning or ending with a hyphen, not beginning with
    "internal-")."""
    refused(
        aws,
        "ValidationError",
        lambda: aws.elbv2.create_load_balancer(Name="internal-shop", Subnets=net.subnets),
        "internal-",
    )


@covers("lb-attributes")
def test_access_log_prefix_and_idle_timeout(aws: Aws, net: Net) -> None:
    """https://docs.aws.amazon.com/elasticloadbalancing/latest/application/enable-access-logging.html
    (the prefix cannot include "AWSLogs"); API_LoadBalancerAttribute.html (idle timeout 1-4000 s)."""

    def modify(key: str, value: str) -> Callable[[], Any]:
        attributes = [{"Key": key, "Value": value}]
        return lambda: aws.elbv2.modify_load_balancer_attributes(
            LoadBalancerArn=net.lb, Attributes=attributes
        )

    refused(aws, "InvalidConfigurationRequest", modify("access_logs.s3.prefix", "shop/AWSLogs"), "AWSLogs")
    refused(aws, "InvalidConfigurationRequest", modify("idle_timeout.timeout_seconds", "5000"))


@covers("tags")
def test_tags_reserved_prefix_duplicates_and_quota(aws: Aws, net: Net) -> None:
    """https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_AddTags.html
    (DuplicateTagKeys, TooManyTags; each resource can have at most 50 tags; "aws:" is reserved — AWS
    answers "Tag key 'aws:...' cannot start with 'aws:'")."""
    create = aws.elbv2.create_load_balancer
    refused(
        aws,
        "ValidationError",
        lambda: create(Name=aws.name("lb"), Subnets=net.subnets, Tags=[{"Key": "aws:team", "Value": "x"}]),
        "^Tag key 'aws:team' cannot start with 'aws:'$",
    )
    twice = [{"Key": "team", "Value": "a"}, {"Key": "team", "Value": "b"}]
    refused(aws, "DuplicateTagKeys", lambda: aws.elbv2.add_tags(ResourceArns=[net.tg], Tags=twice))
    many = [{"Key": f"k{i}", "Value": "v"} for i in range(51)]
    refused(aws, "TooManyTags", lambda: create(Name=aws.name("lb"), Subnets=net.subnets, Tags=many))


# --- target groups ------------------------------------------------------------------------------------------


@covers("tg-health-check-timing")
def test_health_check_timeout_stays_below_the_interval(aws: Aws, net: Net) -> None:
    """https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_CreateTargetGroup.html
    and API_ModifyTargetGroup.html (the timeout must be smaller than the interval)."""
    arn = group(aws, net)
    refused(
        aws,
        "ValidationError",
        lambda: aws.elbv2.modify_target_group(
            TargetGroupArn=arn, HealthCheckIntervalSeconds=5, HealthCheckTimeoutSeconds=6
        ),
        "timeout '6' must be smaller than the interval '5'",
    )


@covers("tg-matcher")
def test_matcher_codes_per_protocol_version(aws: Aws, net: Net) -> None:
    """https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_Matcher.html (ALB: HTTP
    codes 200-499; gRPC codes 0-99 for gRPC groups)."""
    refused(aws, "ValidationError", lambda: group(aws, net, Matcher={"HttpCode": "200-599"}), "200 and 499")
    refused(
        aws,
        "ValidationError",
        lambda: group(aws, net, Protocol="HTTPS", ProtocolVersion="GRPC", Matcher={"HttpCode": "200"}),
    )
    refused(
        aws,
        "ValidationError",
        lambda: group(aws, net, Protocol="HTTPS", ProtocolVersion="GRPC", Matcher={"GrpcCode": "0-100"}),
        "0 and 99",
    )
    arn = group(aws, net)
    refused(
        aws,
        "ValidationError",
        lambda: aws.elbv2.modify_target_group(TargetGroupArn=arn, Matcher={"HttpCode": "600"}),
    )


@covers("tg-health-check-enabled")
def test_instance_and_ip_groups_keep_health_checks(aws: Aws, net: Net) -> None:
    """https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_CreateTargetGroup.html
    (HealthCheckEnabled: "If the target type is instance or ip, health checks are always enabled and
    can't be disabled")."""
    refused(aws, "ValidationError", lambda: group(aws, net, HealthCheckEnabled=False), "instance")
    refused(
        aws, "ValidationError", lambda: group(aws, net, TargetType="ip", HealthCheckEnabled=False), "'ip'"
    )


@covers("tg-protocol-version")
def test_protocol_version_values(aws: Aws, net: Net) -> None:
    """https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-target-groups.html#target-group-protocol-version
    (HTTP1, HTTP2 or GRPC, for HTTP/HTTPS groups)."""
    refused(aws, "ValidationError", lambda: group(aws, net, ProtocolVersion="HTTP3"))


@covers("tg-stickiness-cookie-name")
def test_app_cookie_names_with_reserved_prefixes(aws: Aws, net: Net) -> None:
    """https://docs.aws.amazon.com/elasticloadbalancing/latest/application/sticky-sessions.html (the
    AWSALB, AWSALBAPP and AWSALBTG prefixes are reserved)."""
    attributes = [
        {"Key": "stickiness.enabled", "Value": "true"},
        {"Key": "stickiness.type", "Value": "app_cookie"},
        {"Key": "stickiness.app_cookie.cookie_name", "Value": "AWSALBAPP-session"},
    ]
    refused(
        aws,
        "InvalidConfigurationRequest",
        lambda: aws.elbv2.modify_target_group_attributes(TargetGroupArn=net.tg, Attributes=attributes),
        "AWSALBAPP-session",
    )


@covers("tg-attribute-values")
def test_target_group_attribute_ranges(aws: Aws, net: Net) -> None:
    """https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_TargetGroupAttribute.html
    (lb_cookie duration 1-604800 s; slow start 30-900 s, 0 to turn it off)."""

    def modify(key: str, value: str) -> Callable[[], Any]:
        attributes = [{"Key": key, "Value": value}]
        return lambda: aws.elbv2.modify_target_group_attributes(TargetGroupArn=net.tg, Attributes=attributes)

    refused(aws, "InvalidConfigurationRequest", modify("stickiness.lb_cookie.duration_seconds", "0"))
    refused(aws, "InvalidConfigurationRequest", modify("slow_start.duration_seconds", "10"))


@covers("targets")
def test_instance_targets_belong_to_the_groups_vpc(aws: Aws, net: Net) -> None:
    """https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_RegisterTargets.html
    (InvalidTarget: "not in the same VPC as the target group"); API_TargetDescription.html
    (AvailabilityZone is not supported for instance targets)."""
    register = aws.elbv2.register_targets
    refused(
        aws, "InvalidTarget", lambda: register(TargetGroupArn=net.tg, Targets=[{"Id": net.other_instance}])
    )
    zoned = [{"Id": net.instance, "AvailabilityZone": "us-east-1a"}]
    refused(aws, "ValidationError", lambda: register(TargetGroupArn=net.tg, Targets=zoned))


def test_ip_targets_inside_and_outside_the_vpc(aws: Aws, net: Net) -> None:
    """https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_TargetDescription.html
    (an address outside the VPC needs AvailabilityZone "all" and must be in 10/8, 172.16/12, 192.168/16
    or 100.64/10; AWS answers "The Availability Zone is required for IP address 'x' because it is not
    in the VPC")."""
    arn = group(aws, net, TargetType="ip")

    def register(target_id: str, zone: str | None = None) -> Callable[[], Any]:
        target = {"Id": target_id, **({"AvailabilityZone": zone} if zone else {})}
        return lambda: aws.elbv2.register_targets(TargetGroupArn=arn, Targets=[target])

    refused(aws, "ValidationError", register(net.instance), "not a valid IP address")
    refused(aws, "ValidationError", register("203.0.113.10", "all"), "outside the VPC")
    refused(aws, "ValidationError", register("10.30.1.10", "all"), "is in the VPC")
    refused(
        aws,
        "ValidationError",
        register("192.168.1.10"),
        "^The Availability Zone is required for IP address '192.168.1.10' because it is not in the VPC$",
    )
    register("192.168.1.10", "all")()  # the valid neighbour


def test_lambda_groups_take_one_function_of_their_region(aws: Aws, net: Net) -> None:
    """https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-limits.html
    (targets per target group, Lambda functions: 1); API_RegisterTargets.html (InvalidTarget)."""
    arn = aws.elbv2.create_target_group(Name=aws.name("fn"), TargetType="lambda")["TargetGroups"][0][
        "TargetGroupArn"
    ]
    function = "arn:aws:lambda:{}:123456789012:function:{}"
    two = [{"Id": function.format(REGION, "a")}, {"Id": function.format(REGION, "b")}]
    refused(aws, "TooManyTargets", lambda: aws.elbv2.register_targets(TargetGroupArn=arn, Targets=two))
    elsewhere = [{"Id": function.format("eu-west-1", "a")}]
    refused(aws, "InvalidTarget", lambda: aws.elbv2.register_targets(TargetGroupArn=arn, Targets=elsewhere))


def test_targets_per_group_quota(aws: Aws, net: Net) -> None:
    """https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-limits.html
    (targets per target group, instances or IP addresses: 1,000)."""
    arn = group(aws, net, TargetType="ip")
    first = [{"Id": f"10.30.{i // 250}.{i % 250 + 4}"} for i in range(1000)]
    aws.elbv2.register_targets(TargetGroupArn=arn, Targets=first)
    refused(
        aws,
        "TooManyTargets",
        lambda: aws.elbv2.register_targets(TargetGroupArn=arn, Targets=[{"Id": "10.30.17.4"}]),
    )


@covers("tg-in-use")
def test_deleting_a_group_a_listener_uses(aws: Aws, net: Net) -> None:
    """https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_DeleteTargetGroup.html
    (ResourceInUse; AWS's words: "Target group '<arn>' is currently in use by a listener or a rule")."""
    refused(
        aws,
        "ResourceInUse",
        lambda: aws.elbv2.delete_target_group(TargetGroupArn=net.tg),
        f"^Target group '{re.escape(net.tg)}' is currently in use by a listener or a rule$",
    )


# --- listeners, rules and actions ---------------------------------------------------------------------------


def https_listener(aws: Aws, net: Net, cert: str, **extra: Any) -> Any:
    return aws.elbv2.create_listener(
        LoadBalancerArn=net.lb,
        Protocol="HTTPS",
        Port=next(aws.names) + 1000,
        Certificates=[{"CertificateArn": cert}],
        DefaultActions=forward(net.tg),
        **extra,
    )


@covers("listener-ssl-policy")
def test_security_policies_come_from_the_documented_list(aws: Aws, net: Net, tmp_path: Path) -> None:
    """https://docs.aws.amazon.com/elasticloadbalancing/latest/application/describe-ssl-policies.html
    (the predefined policies; CreateListener answers SSLPolicyNotFound for others)."""
    cert = certificate(aws, tmp_path)
    refused(
        aws,
        "SSLPolicyNotFound",
        lambda: https_listener(aws, net, cert, SslPolicy="ELBSecurityPolicy-TLS13-1-2-2021-07"),
    )
    https_listener(aws, net, cert, SslPolicy="ELBSecurityPolicy-TLS13-1-2-Res-PQ-2025-09")


@covers("listener-certificates")
def test_https_certificates_exist_in_the_region(aws: Aws, net: Net) -> None:
    """https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_CreateListener.html
    (HTTPS needs exactly one default certificate) and API_AddListenerCertificates.html
    (CertificateNotFound; an ACM certificate lives in one region)."""
    refused(
        aws,
        "InvalidConfigurationRequest",
        lambda: aws.elbv2.create_listener(
            LoadBalancerArn=net.lb, Protocol="HTTPS", Port=8443, DefaultActions=forward(net.tg)
        ),
    )
    elsewhere = [{"CertificateArn": "arn:aws:acm:eu-west-1:123456789012:certificate/0b1c2d3e"}]
    refused(
        aws,
        "CertificateNotFound",
        lambda: aws.elbv2.add_listener_certificates(ListenerArn=net.listener, Certificates=elsewhere),
    )


@covers("listener-certificate-quota")
def test_certificates_per_load_balancer_quota(aws: Aws, net: Net, tmp_path: Path) -> None:
    """https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-limits.html
    (certificates per Application Load Balancer, excluding default certificates: 25 — per load balancer,
    whatever listeners they are spread over)."""
    lb = aws.elbv2.create_load_balancer(Name=aws.name("lb"), Subnets=net.subnets)["LoadBalancers"][0]
    listeners = [
        aws.elbv2.create_listener(
            LoadBalancerArn=lb["LoadBalancerArn"],
            Protocol="HTTPS",
            Port=port,
            Certificates=[{"CertificateArn": certificate(aws, tmp_path)}],
            DefaultActions=[{"Type": "fixed-response", "FixedResponseConfig": {"StatusCode": "404"}}],
        )["Listeners"][0]["ListenerArn"]
        for port in (443, 8443)
    ]
    extra = [{"CertificateArn": certificate(aws, tmp_path)} for _ in range(26)]
    aws.elbv2.add_listener_certificates(ListenerArn=listeners[0], Certificates=extra[:13])
    aws.elbv2.add_listener_certificates(ListenerArn=listeners[1], Certificates=extra[13:25])
    refused(
        aws,
        "TooManyCertificates",
        lambda: aws.elbv2.add_listener_certificates(ListenerArn=listeners[1], Certificates=extra[25:]),
    )


@covers("action-target-groups")
def test_what_a_forward_may_reach(aws: Aws, net: Net) -> None:
    """https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-target-groups.html#target-group-protocol-version
    (HTTP/2 and gRPC groups only behind HTTPS listeners); load-balancer-limits.html (load balancers per
    target group: 1; AWS answers TargetGroupAssociationLimit "The following target groups cannot be
    associated with more than one load balancer"); a group of another VPC cannot be forwarded to
    (API_CreateListener.html, InvalidConfigurationRequest)."""
    grpc = group(aws, net, Protocol="HTTPS", ProtocolVersion="GRPC", Matcher={"GrpcCode": "12"})
    rule = aws.elbv2.create_rule
    refused(
        aws,
        "IncompatibleProtocols",
        lambda: rule(
            ListenerArn=net.listener, Priority=900, Conditions=path_rule(["/rpc"]), Actions=forward(grpc)
        ),
    )
    elsewhere = aws.elbv2.create_target_group(
        Name=aws.name("o"), Protocol="HTTP", Port=80, VpcId=net.other_vpc
    )
    refused(
        aws,
        "InvalidConfigurationRequest",
        lambda: rule(
            ListenerArn=net.listener,
            Priority=901,
            Conditions=path_rule(["/x"]),
            Actions=forward(elsewhere["TargetGroups"][0]["TargetGroupArn"]),
        ),
    )
    second = aws.elbv2.create_load_balancer(Name=aws.name("lb"), Subnets=net.subnets)["LoadBalancers"][0]
    refused(
        aws,
        "TargetGroupAssociationLimit",
        lambda: aws.elbv2.create_listener(
            LoadBalancerArn=second["LoadBalancerArn"],
            Protocol="HTTP",
            Port=80,
            DefaultActions=forward(net.tg),
        ),
        "cannot be associated with more than one load balancer",
    )


@covers("action-redirect")
def test_redirects_change_something_and_never_downgrade(aws: Aws, net: Net, tmp_path: Path) -> None:
    """https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_RedirectActionConfig.html
    (modify at least one of protocol, host, port or path to avoid a loop; the path is absolute; HTTPS
    to HTTP is not allowed)."""

    def redirect(listener: str, priority: int, **config: str) -> Callable[[], Any]:
        action = [{"Type": "redirect", "RedirectConfig": {"StatusCode": "HTTP_301", **config}}]
        return lambda: aws.elbv2.create_rule(
            ListenerArn=listener, Priority=priority, Conditions=path_rule(["/old"]), Actions=action
        )

    refused(aws, "InvalidLoadBalancerAction", redirect(net.listener, 910), "redirect to itself")
    refused(aws, "ValidationError", redirect(net.listener, 911, Path="new"), "must start with '/'")
    secure = https_listener(aws, net, certificate(aws, tmp_path))["Listeners"][0]["ListenerArn"]
    refused(aws, "InvalidLoadBalancerAction", redirect(secure, 912, Protocol="HTTP"), "HTTPS listener")


@covers("rule-conditions")
def test_condition_values_wildcards_and_host_patterns(aws: Aws, net: Net) -> None:
    """https://docs.aws.amazon.com/elasticloadbalancing/latest/application/rule-condition-types.html
    (host names: letters only after the last "."; the Host header is matched by host-header) and
    load-balancer-limits.html (5 condition values and 5 wildcards per rule)."""

    def rule(conditions: list[dict[str, Any]], priority: int) -> Callable[[], Any]:
        return lambda: aws.elbv2.create_rule(
            ListenerArn=net.listener, Priority=priority, Conditions=conditions, Actions=forward(net.tg)
        )

    hosts = [{"Field": "host-header", "HostHeaderConfig": {"Values": ["a.example.com", "b.example.com"]}}]
    refused(
        aws, "ValidationError", rule(path_rule(["/a", "/b", "/c", "/d"]) + hosts, 920), "condition values"
    )
    refused(aws, "ValidationError", rule(path_rule(["/a**", "/b**", "/c**"]), 921), "wildcards")
    port = [{"Field": "host-header", "HostHeaderConfig": {"Values": ["example.com:8080"]}}]
    refused(aws, "ValidationError", rule(port, 922), "example.com:8080")
    host = [
        {"Field": "http-header", "HttpHeaderConfig": {"HttpHeaderName": "Host", "Values": ["x.example.com"]}}
    ]
    refused(aws, "ValidationError", rule(host, 923), "host-header")


@covers("rule-priority")
def test_priorities_are_unique_per_listener(aws: Aws, net: Net) -> None:
    """https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_CreateRule.html
    (PriorityInUse; AWS's words: "Priority '26' is currently in use")."""
    aws.elbv2.create_rule(
        ListenerArn=net.listener, Priority=930, Conditions=path_rule(["/p"]), Actions=forward(net.tg)
    )
    refused(
        aws,
        "PriorityInUse",
        lambda: aws.elbv2.create_rule(
            ListenerArn=net.listener, Priority=930, Conditions=path_rule(["/q"]), Actions=forward(net.tg)
        ),
        "^Priority '930' is currently in use$",
    )


@covers("rules-quota")
def test_rules_per_load_balancer_quota(aws: Aws, net: Net) -> None:
    """https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-limits.html
    (rules per Application Load Balancer, excluding default rules: 100)."""
    lb = aws.elbv2.create_load_balancer(Name=aws.name("lb"), Subnets=net.subnets)["LoadBalancers"][0]
    listener = aws.elbv2.create_listener(
        LoadBalancerArn=lb["LoadBalancerArn"],
        Protocol="HTTP",
        Port=80,
        DefaultActions=[{"Type": "fixed-response", "FixedResponseConfig": {"StatusCode": "404"}}],
    )["Listeners"][0]["ListenerArn"]
    answer = [{"Type": "fixed-response", "FixedResponseConfig": {"StatusCode": "200"}}]
    for priority in range(1, 101):
        aws.elbv2.create_rule(
            ListenerArn=listener, Priority=priority, Conditions=path_rule([f"/{priority}"]), Actions=answer
        )
    refused(
        aws,
        "TooManyRules",
        lambda: aws.elbv2.create_rule(
            ListenerArn=listener, Priority=101, Conditions=path_rule(["/101"]), Actions=answer
        ),
    )


def test_ssl_policies_are_the_documented_list(aws: Aws) -> None:
    """https://docs.aws.amazon.com/elasticloadbalancing/latest/application/describe-ssl-policies.html:
    DescribeSSLPolicies answers the list the listener module checks against (one home:
    modules/listener/ssl-policies.json)."""
    listed = Path(__file__).parents[1] / "modules" / "listener" / "ssl-policies.json"
    names = [p["Name"] for p in aws.elbv2.describe_ssl_policies()["SslPolicies"]]
    assert names == json.loads(listed.read_text())["policies"]
    refused(
        aws, "SSLPolicyNotFound", lambda: aws.elbv2.describe_ssl_policies(Names=["ELBSecurityPolicy-Nope"])
    )


# --- EC2 ----------------------------------------------------------------------------------------------------


@covers("ec2-instance-network")
def test_instance_security_groups_of_another_vpc(aws: Aws, net: Net) -> None:
    """https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_RunInstances.html (security groups of
    the subnet's VPC; AWS's words: "Security group sg-x and subnet subnet-y belong to different
    networks.")."""
    refused(
        aws,
        "InvalidParameter",
        lambda: aws.ec2.run_instances(
            ImageId=MOTO_AMI, MinCount=1, MaxCount=1, SubnetId=net.subnets[0], SecurityGroupIds=[net.other_sg]
        ),
        f"^Security group {net.other_sg} and subnet {net.subnets[0]} belong to different networks\\.$",
    )


@covers("ec2-eni-network")
def test_network_interface_security_groups_of_another_vpc(aws: Aws, net: Net) -> None:
    """https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_CreateNetworkInterface.html (the
    groups of an interface are groups of its subnet's VPC)."""
    refused(
        aws,
        "InvalidParameter",
        lambda: aws.ec2.create_network_interface(SubnetId=net.subnets[0], Groups=[net.other_sg]),
    )


@covers("ec2-sg-reference")
def test_a_rule_may_not_reference_a_group_of_another_vpc(aws: Aws, net: Net) -> None:
    """https://docs.aws.amazon.com/vpc/latest/userguide/security-group-rules.html (a referenced group is
    in the same VPC or a peered one; AWS answers InvalidGroup.NotFound "You have specified two resources
    that belong to different networks.")."""
    permission = {
        "IpProtocol": "tcp",
        "FromPort": 80,
        "ToPort": 80,
        "UserIdGroupPairs": [{"GroupId": net.other_sg}],
    }
    refused(
        aws,
        "InvalidGroup.NotFound",
        lambda: aws.ec2.authorize_security_group_ingress(GroupId=net.sg, IpPermissions=[permission]),
        "belong to different networks",
    )


@covers("ec2-sg-rule-ports")
def test_security_group_port_ranges(aws: Aws, net: Net) -> None:
    """https://docs.aws.amazon.com/vpc/latest/userguide/security-group-rules.html (a TCP/UDP rule names a
    port range 0-65535, from <= to)."""
    backwards = {"IpProtocol": "tcp", "FromPort": 90, "ToPort": 80, "IpRanges": [{"CidrIp": "10.0.0.0/8"}]}
    refused(
        aws,
        "InvalidParameterValue",
        lambda: aws.ec2.authorize_security_group_egress(GroupId=net.sg, IpPermissions=[backwards]),
    )


@covers("ec2-sg-name")
def test_group_names_may_not_look_like_ids(aws: Aws, net: Net) -> None:
    """https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_CreateSecurityGroup.html (GroupName
    "Cannot start with sg-")."""
    refused(
        aws,
        "InvalidParameterValue",
        lambda: aws.ec2.create_security_group(GroupName="sg-web", Description="web", VpcId=net.vpc),
    )


@covers("ec2-subnet-size")
def test_subnets_are_slash_16_to_slash_28(aws: Aws, net: Net) -> None:
    """https://docs.aws.amazon.com/vpc/latest/userguide/subnet-sizing.html (IPv4 subnets /16 to /28)."""
    refused(
        aws,
        "InvalidSubnet.Range",
        lambda: aws.ec2.create_subnet(
            VpcId=net.vpc, CidrBlock="10.30.200.0/29", AvailabilityZone="us-east-1a"
        ),
    )


# --- WAFv2 --------------------------------------------------------------------------------------------------


@covers("waf-association")
def test_a_web_acl_protects_a_load_balancer_of_its_region(aws: Aws, net: Net) -> None:
    """https://docs.aws.amazon.com/waf/latest/APIReference/API_AssociateWebACL.html (the resource is in
    the web ACL's region; WAFNonexistentItemException for what does not exist there)."""
    acl = aws.wafv2.create_web_acl(
        Name=aws.name("acl"),
        Scope="REGIONAL",
        DefaultAction={"Allow": {}},
        VisibilityConfig={
            "SampledRequestsEnabled": False,
            "CloudWatchMetricsEnabled": False,
            "MetricName": "m",
        },
    )["Summary"]["ARN"]
    other_region = net.lb.replace(f":{REGION}:", ":eu-west-1:")
    refused(
        aws,
        "WAFNonexistentItemException",
        lambda: aws.wafv2.associate_web_acl(WebACLArn=acl, ResourceArn=other_region),
    )


def test_every_rule_has_a_test() -> None:
    assert {r.id for r in RULES} == COVERED - {"shapes"}
