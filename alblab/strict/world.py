"""What moto holds for one account and region, read in place (the strict layer runs in moto's process).

Read-only and never creating: a backend that does not exist yet holds nothing (moto makes it on the
request's own way through). Lookups answer None for what they do not find; a rule then leaves the request
to moto, which has its own "not found" errors.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterator
from functools import cached_property
from typing import Any

from moto.ec2.models import ec2_backends
from moto.elbv2.models import elbv2_backends

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def arn_region(arn: str) -> str:
    """The region field of an ARN ("" for global ones such as IAM's, and for what is not an ARN)."""
    parts = arn.split(":")
    return parts[3] if len(parts) > 5 else ""


def _backend(backends: Any, account: str, region: str) -> Any:
    # dict.get: BackendDict's own __getitem__ would create the account's backends (for EC2 a default VPC).
    per_account = dict.get(backends, account)
    return None if per_account is None else dict.get(per_account, region)


class World:
    def __init__(self, account: str, region: str) -> None:
        self.account = account
        self.region = region

    @cached_property
    def elbv2(self) -> Any:
        return _backend(elbv2_backends, self.account, self.region)

    @cached_property
    def ec2(self) -> Any:
        return _backend(ec2_backends, self.account, self.region)

    # --- EC2 ----------------------------------------------------------------------------------------------

    def subnet(self, subnet_id: str) -> Any:
        if self.ec2 is None:
            return None
        for per_zone in list(self.ec2.subnets.values()):
            if subnet_id in per_zone:
                return per_zone[subnet_id]
        return None

    def subnets_of(self, vpc_id: str) -> list[Any]:
        if self.ec2 is None:
            return []
        return [
            s for per_zone in list(self.ec2.subnets.values()) for s in per_zone.values() if s.vpc_id == vpc_id
        ]

    def vpc(self, vpc_id: str) -> Any:
        return None if self.ec2 is None else self.ec2.vpcs.get(vpc_id)

    def vpc_networks(self, vpc_id: str) -> list[Network]:
        vpc = self.vpc(vpc_id)
        if vpc is None:
            return []
        blocks = [a.get("cidr_block") for a in vpc.cidr_block_association_set] or [vpc.cidr_block]
        return [ipaddress.ip_network(b, strict=False) for b in blocks if b]

    def security_group(self, group_id: str) -> Any:
        return None if self.ec2 is None else self.ec2.get_security_group_from_id(group_id)

    def instance(self, instance_id: str) -> Any:
        return None if self.ec2 is None else self.ec2.get_instance_by_id(instance_id)

    def network_interface(self, eni_id: str) -> Any:
        return None if self.ec2 is None else self.ec2.enis.get(eni_id)

    # --- ELBv2 --------------------------------------------------------------------------------------------

    def load_balancer(self, arn: str) -> Any:
        return None if self.elbv2 is None else self.elbv2.load_balancers.get(arn)

    def load_balancers(self) -> list[Any]:
        return [] if self.elbv2 is None else list(self.elbv2.load_balancers.values())

    def target_group(self, arn: str) -> Any:
        return None if self.elbv2 is None else self.elbv2.target_groups.get(arn)

    def listeners(self) -> Iterator[tuple[Any, Any]]:
        """(load balancer, listener) for every listener."""
        for lb in self.load_balancers():
            for listener in list(lb.listeners.values()):
                yield lb, listener

    def listener(self, arn: str) -> tuple[Any, Any]:
        for lb, listener in self.listeners():
            if listener.arn == arn:
                return lb, listener
        return None, None

    def rule(self, arn: str) -> tuple[Any, Any, Any]:
        """(load balancer, listener, rule) of a non-default rule."""
        for lb, listener in self.listeners():
            rule = listener._non_default_rules.get(arn)
            if rule is not None:
                return lb, listener, rule
        return None, None, None

    def rules_of(self, lb: Any) -> list[Any]:
        return [
            r for listener in list(lb.listeners.values()) for r in list(listener._non_default_rules.values())
        ]
