"""The boto3 readers against the emulator, on a stack made directly with boto3 (no Terraform):
sorting, action/condition parsing, SG references, scoping to one ALB, and the leak finder."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from alblab.model import Stack
from alblab.state import AwsClients, find_leftovers, read_stack

AMI = "ami-1e749f67"


@dataclass
class Built:
    name: str
    ids: dict[str, Any]


def _build(clients: AwsClients, name: str, cidr_second_octet: int) -> Built:
    ec2, elbv2 = clients.ec2, clients.elbv2
    vpc = ec2.create_vpc(CidrBlock=f"10.{cidr_second_octet}.0.0/16")["Vpc"]["VpcId"]
    ec2.create_tags(Resources=[vpc], Tags=[{"Key": "Name", "Value": f"{name}-vpc"}])
    subnets = []
    for i, az in enumerate(("us-east-1a", "us-east-1b")):
        sid = ec2.create_subnet(
            VpcId=vpc, CidrBlock=f"10.{cidr_second_octet}.{i + 1}.0/24", AvailabilityZone=az
        )
        subnets.append(sid["Subnet"]["SubnetId"])
    alb_sg = ec2.create_security_group(GroupName=f"{name}-alb", Description="alb", VpcId=vpc)["GroupId"]
    web_sg = ec2.create_security_group(GroupName=f"{name}-web", Description="web", VpcId=vpc)["GroupId"]
    ec2.authorize_security_group_ingress(
        GroupId=alb_sg,
        IpPermissions=[
            {"IpProtocol": "tcp", "FromPort": 80, "ToPort": 80, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}
        ],
    )
    ec2.authorize_security_group_ingress(
        GroupId=web_sg,
        IpPermissions=[
            {"IpProtocol": "tcp", "FromPort": 8080, "ToPort": 8080, "UserIdGroupPairs": [{"GroupId": alb_sg}]}
        ],
    )
    instances = [
        ec2.run_instances(
            ImageId=AMI,
            MinCount=1,
            MaxCount=1,
            SubnetId=subnet,
            SecurityGroupIds=[web_sg],
            TagSpecifications=[
                {"ResourceType": "instance", "Tags": [{"Key": "Name", "Value": f"{name}-web-{i}"}]}
            ],
        )["Instances"][0]["InstanceId"]
        for i, subnet in enumerate(subnets)
    ]
    lb = elbv2.create_load_balancer(Name=name, Subnets=subnets, SecurityGroups=[alb_sg])["LoadBalancers"][0]
    tgs = {}
    for key in ("a", "b"):
        tg = elbv2.create_target_group(
            Name=f"{name}-{key}", Protocol="HTTP", Port=8080, VpcId=vpc, HealthCheckPath=f"/{key}/health"
        )["TargetGroups"][0]["TargetGroupArn"]
        tgs[key] = tg
    elbv2.register_targets(
        TargetGroupArn=tgs["a"], Targets=[{"Id": i, "Port": 8080} for i in reversed(instances)]
    )
    elbv2.modify_target_group_attributes(
        TargetGroupArn=tgs["b"],
        Attributes=[
            {"Key": "stickiness.enabled", "Value": "true"},
            {"Key": "stickiness.type", "Value": "lb_cookie"},
        ],
    )
    listener = elbv2.create_listener(
        LoadBalancerArn=lb["LoadBalancerArn"],
        Protocol="HTTP",
        Port=80,
        DefaultActions=[
            {
                "Type": "fixed-response",
                "FixedResponseConfig": {"StatusCode": "404", "ContentType": "text/plain"},
            }
        ],
    )["Listeners"][0]["ListenerArn"]
    # Created out of priority order on purpose: the reader must sort.
    elbv2.create_rule(
        ListenerArn=listener,
        Priority=20,
        Conditions=[{"Field": "path-pattern", "PathPatternConfig": {"Values": ["/z/*", "/a/*"]}}],
        Actions=[
            {
                "Type": "forward",
                "ForwardConfig": {
                    "TargetGroups": [
                        {"TargetGroupArn": tgs["b"], "Weight": 20},
                        {"TargetGroupArn": tgs["a"], "Weight": 80},
                    ],
                    "TargetGroupStickinessConfig": {"Enabled": True, "DurationSeconds": 600},
                },
            }
        ],
    )
    elbv2.create_rule(
        ListenerArn=listener,
        Priority=10,
        Conditions=[
            {"Field": "http-header", "HttpHeaderConfig": {"HttpHeaderName": "X-Env", "Values": ["prod"]}},
            {
                "Field": "query-string",
                "QueryStringConfig": {"Values": [{"Value": "v"}, {"Key": "k", "Value": "1"}]},
            },
        ],
        Actions=[
            {
                "Type": "redirect",
                "RedirectConfig": {"Protocol": "HTTPS", "Port": "443", "StatusCode": "HTTP_302"},
            }
        ],
    )
    return Built(name, {"vpc": vpc, "alb_sg": alb_sg, "web_sg": web_sg, "instances": instances, "tgs": tgs})


@pytest.fixture(scope="module")
def built(clients: AwsClients, run_prefix: str, aws_mode: str) -> tuple[Built, Built]:
    if aws_mode == "real":
        pytest.skip("builds resources with raw boto3 calls; emulator only")
    # Two stacks in the same emulator: each read must see only its own.
    return _build(clients, f"{run_prefix}-st1", 31), _build(clients, f"{run_prefix}-st2", 32)


@pytest.fixture(scope="module")
def stack(clients: AwsClients, built: tuple[Built, Built]) -> Stack:
    return read_stack(clients, built[0].name)


def test_scoped_to_one_stack(stack: Stack, built: tuple[Built, Built]) -> None:
    mine, other = built
    assert stack.load_balancer.name == mine.name
    assert set(stack.instances) == set(mine.ids["instances"])
    assert {tg.name for tg in stack.target_groups.values()} == {f"{mine.name}-a", f"{mine.name}-b"}
    assert mine.ids["web_sg"] in stack.security_groups
    assert other.ids["web_sg"] not in stack.security_groups
    assert len(stack.subnets) == 2
    assert stack.load_balancer.internal is False


def test_rules_sorted_and_parsed(stack: Stack, built: tuple[Built, Built]) -> None:
    listener = stack.listener(80)
    assert [r.priority for r in listener.rules] == [10, 20]
    header_rule, path_rule = listener.rules
    assert listener.default_action.type == "fixed-response"
    assert listener.default_action.fixed_response is not None
    assert listener.default_action.fixed_response.status_code == 404
    fields = [c.field for c in header_rule.conditions]
    assert fields == ["http-header", "query-string"]
    assert header_rule.conditions[0].header_name == "X-Env"
    assert header_rule.conditions[1].query_pairs == ((None, "v"), ("k", "1"))
    assert header_rule.action.redirect is not None
    assert (header_rule.action.redirect.protocol, header_rule.action.redirect.status_code) == (
        "HTTPS",
        "HTTP_302",
    )
    assert path_rule.conditions[0].values == ("/a/*", "/z/*")
    tgs = built[0].ids["tgs"]
    weights = {g.target_group_arn: g.weight for g in path_rule.action.target_groups}
    assert weights == {tgs["a"]: 80, tgs["b"]: 20}
    assert path_rule.action.stickiness_enabled is True
    assert path_rule.action.stickiness_duration == 600


def test_target_groups_health_and_attributes(stack: Stack, built: tuple[Built, Built]) -> None:
    a = stack.target_group_by_name(f"{built[0].name}-a")
    assert [t.id for t in a.targets] == sorted(built[0].ids["instances"])
    assert {t.health for t in a.targets} == {"healthy"}
    assert a.health_check.path == "/a/health"
    assert a.health_check_port(a.targets[0]) == 8080
    b = stack.target_group_by_name(f"{built[0].name}-b")
    assert b.stickiness == "lb_cookie"
    assert a.stickiness is None


def test_security_group_reference_and_instances(stack: Stack, built: tuple[Built, Built]) -> None:
    ids = built[0].ids
    web = stack.security_groups[ids["web_sg"]]
    refs = [r for r in web.ingress if r.referenced_group_id]
    assert [(r.referenced_group_id, r.protocol, r.from_port, r.to_port) for r in refs] == [
        (ids["alb_sg"], "tcp", 8080, 8080)
    ]
    alb = stack.security_groups[ids["alb_sg"]]
    assert any(r.cidr_ipv4 == "0.0.0.0/0" and r.covers_port("tcp", 80) for r in alb.ingress)
    for iid in ids["instances"]:
        inst = stack.instances[iid]
        assert inst.security_group_ids == (ids["web_sg"],)
        assert inst.private_ip.startswith("10.31.")
        assert inst.subnet_id in stack.subnets


def test_leftovers_found_then_gone(clients: AwsClients, built: tuple[Built, Built]) -> None:
    mine = built[1]
    left = find_leftovers(clients, mine.name)
    assert any(item.startswith("load balancer") for item in left)
    assert sum(item.startswith("instance") for item in left) == 2
    assert sum(item.startswith("target group") for item in left) == 2
    # Nothing of the first stack is reported under the second one's name.
    assert not any(built[0].name in item for item in left)
    lb = clients.elbv2.describe_load_balancers(Names=[mine.name])["LoadBalancers"][0]["LoadBalancerArn"]
    clients.elbv2.delete_load_balancer(LoadBalancerArn=lb)
    for arn in mine.ids["tgs"].values():
        clients.elbv2.delete_target_group(TargetGroupArn=arn)
    clients.ec2.terminate_instances(InstanceIds=mine.ids["instances"])
    left = find_leftovers(clients, mine.name)
    assert not any(item.split()[0] in ("load", "target", "instance") for item in left), left
