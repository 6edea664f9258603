"""Hand-built Stacks and teardown checks for the data-plane tests (no Terraform). Holds no tests."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from alblab.dataplane import DataPlane
from alblab.dataplane.procs import alive
from alblab.model import (
    Action,
    Condition,
    FixedResponse,
    HealthCheck,
    Instance,
    Listener,
    LoadBalancer,
    Rule,
    SecurityGroup,
    SgRule,
    Stack,
    Subnet,
    Target,
    TargetGroup,
    WeightedTargetGroup,
)

ALB_SG, TARGET_SG = "sg-alb", "sg-targets"
FAST_HC = HealthCheck(path="/health", interval=1, timeout=1, healthy_threshold=2, unhealthy_threshold=2)


def subnets() -> dict[str, Subnet]:
    rows = [
        ("subnet-pub-a", "10.0.1.0/24", "us-east-1a"),
        ("subnet-pub-b", "10.0.2.0/24", "us-east-1b"),
        ("subnet-prv-a", "10.0.11.0/24", "us-east-1a"),
        ("subnet-prv-b", "10.0.12.0/24", "us-east-1b"),
    ]
    return {sid: Subnet(sid, "vpc-1", cidr, az) for sid, cidr, az in rows}


def security_groups(target_ingress_extra: tuple[SgRule, ...] = ()) -> dict[str, SecurityGroup]:
    alb = SecurityGroup(
        ALB_SG,
        "alb",
        "vpc-1",
        ingress=(SgRule("ingress", "tcp", 80, 80, cidr_ipv4="0.0.0.0/0"),),
        egress=(SgRule("egress", "tcp", 80, 80, referenced_group_id=TARGET_SG),),
    )
    targets = SecurityGroup(
        TARGET_SG,
        "targets",
        "vpc-1",
        ingress=(SgRule("ingress", "tcp", 80, 80, referenced_group_id=ALB_SG), *target_ingress_extra),
        egress=(SgRule("egress", "-1", cidr_ipv4="0.0.0.0/0"),),
    )
    return {ALB_SG: alb, TARGET_SG: targets}


def instances() -> dict[str, Instance]:
    return {
        "i-aaa": Instance("i-aaa", "10.0.11.4", "subnet-prv-a", "us-east-1a", (TARGET_SG,)),
        "i-bbb": Instance("i-bbb", "10.0.12.4", "subnet-prv-b", "us-east-1b", (TARGET_SG,)),
    }


def target_group(name: str, ids: tuple[str, ...], attributes: dict[str, str] | None = None) -> TargetGroup:
    return TargetGroup(
        arn=f"arn:tg/{name}",
        name=name,
        target_type="instance",
        protocol="HTTP",
        port=80,
        vpc_id="vpc-1",
        health_check=FAST_HC,
        attributes=attributes or {},
        targets=tuple(Target(i, 80) for i in ids),
    )


def forward(*groups: tuple[str, int], sticky_s: int = 0) -> Action:
    return Action(
        "forward",
        target_groups=tuple(WeightedTargetGroup(f"arn:tg/{n}", w) for n, w in groups),
        stickiness_enabled=sticky_s > 0,
        stickiness_duration=sticky_s,
    )


def stack(
    rules: tuple[Rule, ...] = (),
    groups: tuple[TargetGroup, ...] | None = None,
    default: Action | None = None,
    sgs: dict[str, SecurityGroup] | None = None,
) -> Stack:
    groups = groups or (target_group("web", ("i-aaa", "i-bbb")),)
    listener = Listener("arn:listener/80", 80, "HTTP", default or forward((groups[0].name, 1)), rules)
    lb = LoadBalancer(
        arn="arn:lb/test",
        name="test",
        dns_name="test-123.us-east-1.elb.amazonaws.com",
        zone_id="Z35SXDOTRQ7X7K",
        internal=False,
        vpc_id="vpc-1",
        subnet_ids=("subnet-pub-a", "subnet-pub-b"),
        security_group_ids=(ALB_SG,),
        listeners=(listener,),
    )
    return Stack(
        load_balancer=lb,
        target_groups={tg.arn: tg for tg in groups},
        instances=instances(),
        security_groups=sgs or security_groups(),
        subnets=subnets(),
    )


def fixed_rule(priority: int, path: str, status: int, body: str) -> Rule:
    action = Action("fixed-response", fixed_response=FixedResponse(status, "text/plain", body))
    return Rule(f"arn:rule/{priority}", priority, (Condition("path-pattern", (path,)),), action)


def path_rule(priority: int, path: str, action: Action) -> Rule:
    return Rule(f"arn:rule/{priority}", priority, (Condition("path-pattern", (path,)),), action)


@contextmanager
def plane_maker(run_root: Path, **options: object) -> Iterator[Callable[[Stack], DataPlane]]:
    """``make(stack)`` brings a plane up under ``run_root``; on exit every plane made is torn down and
    checked gone. A 1 s connect timeout makes a dead target cost 1 s, not ALB's 10 s."""
    planes: list[DataPlane] = []

    def make(s: Stack) -> DataPlane:
        kw: dict[str, object] = {"connect_timeout_s": 1.0, **options}
        plane = DataPlane(s, run_root / f"plane{len(planes)}", **kw)  # type: ignore[arg-type]
        planes.append(plane)
        return plane.up()

    try:
        yield make
    finally:
        for plane in planes:
            pids = list(plane.processes.values())
            plane.down()
            assert_torn_down(plane, pids)


def assert_torn_down(plane: DataPlane, pids: list[int]) -> None:
    """Nothing of ``plane`` is left: ``pids`` (its ``processes`` taken while it ran) are gone, and so are
    its namespaces, its sockets and its saved state, and any process naming its run or socket dir."""
    assert [p for p in pids if alive(p)] == [], "processes left behind"
    if plane.mode == "root":
        listed = subprocess.run(["ip", "netns", "list"], capture_output=True, text=True, check=True).stdout
        left = [line.split()[0] for line in listed.splitlines() if line.startswith(f"{plane.prefix}-")]
        assert left == [], f"namespaces left behind: {left}"
        assert not list(Path("/etc/netns").glob(f"{plane.prefix}-*"))
    assert not plane.sock_dir.exists()
    assert not (plane.run_dir / "plane.json").exists()
    assert processes_naming([str(plane.run_dir), str(plane.sock_dir)]) == []


def processes_naming(paths: list[str]) -> list[str]:
    """Live processes of this user whose command line names one of ``paths``."""
    found = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            if proc.stat().st_uid != os.getuid() or not alive(int(proc.name)):
                continue
            cmdline = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if any(path in cmdline for path in paths):
            found.append(f"{proc.name}: {cmdline[:200]}")
    return found
