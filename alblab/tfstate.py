"""What a configuration applied, read from its state: its load balancers and its resources.

The harness finds the ALB from the state, never from a variable or an output of ours, so it works on any
configuration: raw ``aws_lb`` resources, our module, or several ALBs at once. The local state file is read
directly (``terraform show -json`` would start the provider, seconds of CPU, to say the same).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from alblab.errors import StateError, UsageError

LB_TYPES = ("aws_lb", "aws_alb")


@dataclass(frozen=True)
class LoadBalancerRef:
    address: str  # Terraform resource address, e.g. module.alb.aws_lb.this
    name: str
    arn: str
    dns_name: str

    def as_dict(self) -> dict[str, str]:
        return {"address": self.address, "name": self.name, "arn": self.arn, "dns_name": self.dns_name}


def _index(key: Any) -> str:
    if key is None:
        return ""
    return f"[{key}]" if isinstance(key, int) else f'["{key}"]'


def _read_state_file(path: Path) -> dict[str, Any]:
    try:
        text = path.read_text()
    except FileNotFoundError:
        return {}
    if not text.strip():
        # Terraform creates the file empty to lock it before it writes anything: an apply interrupted that
        # early leaves it so, and Terraform itself reads it as no state.
        return {}
    try:
        raw: dict[str, Any] = json.loads(text)
    except json.JSONDecodeError as exc:
        raise StateError(f"{path} is not a readable Terraform state ({exc.msg}, line {exc.lineno})") from exc
    return raw


def outputs_in_state_file(path: Path) -> dict[str, Any]:
    """The root module's output values of a local state file, as ``terraform output -json`` gives their
    ``value``s; {} when absent."""
    return {name: item.get("value") for name, item in _read_state_file(path).get("outputs", {}).items()}


def resources_in_state_file(path: Path) -> list[dict[str, Any]]:
    """Managed resources of a local state file (format 4) as ``{address, type, values}``; [] when absent."""
    raw = _read_state_file(path)
    out = []
    for resource in raw.get("resources", []):
        if resource.get("mode") != "managed":
            continue
        prefix = f"{resource['module']}." if resource.get("module") else ""
        for instance in resource.get("instances", []):
            address = f"{prefix}{resource['type']}.{resource['name']}{_index(instance.get('index_key'))}"
            out.append(
                {
                    "address": address,
                    "type": resource["type"],
                    "values": instance.get("attributes", {}),
                    "tainted": instance.get("status") == "tainted",
                }
            )
    return out


def tainted_load_balancers(resources: Iterable[dict[str, Any]]) -> list[tuple[str, str]]:
    """``(address, ARN)`` of each load balancer the state marks tainted (an apply stopped while Terraform
    waited for it to become active taints it, though AWS goes on creating it)."""
    return [
        (r["address"], str(r["values"].get("arn") or r["values"].get("id") or ""))
        for r in resources
        if r.get("tainted") and r.get("type") in LB_TYPES
    ]


def load_balancers(resources: Iterable[dict[str, Any]]) -> list[LoadBalancerRef]:
    """Every application load balancer among ``resources`` (network and gateway ones are left out)."""
    found = []
    for resource in resources:
        values = resource.get("values") or {}
        if resource.get("type") not in LB_TYPES:
            continue
        if (values.get("load_balancer_type") or "application") != "application":
            continue
        found.append(
            LoadBalancerRef(
                address=str(resource["address"]),
                name=str(values.get("name") or ""),
                arn=str(values.get("arn") or values.get("id") or ""),
                dns_name=str(values.get("dns_name") or ""),
            )
        )
    return sorted(found, key=lambda lb: lb.address)


def choose(found: list[LoadBalancerRef], wanted: str | None) -> LoadBalancerRef:
    """The ALB named by ``wanted`` (its address or its name), or the only one; else a message listing them."""
    listing = ", ".join(f"{lb.address} ({lb.name})" for lb in found)
    if wanted:
        for lb in found:
            if wanted in (lb.address, lb.name, lb.arn):
                return lb
        if not found:
            raise UsageError(f"no application load balancer {wanted!r}: the applied state holds none")
        raise UsageError(f"no application load balancer {wanted!r}; the state holds: {listing}")
    if not found:
        raise StateError(
            "the applied configuration holds no application load balancer (no aws_lb resource of type "
            "application in its state)"
        )
    if len(found) > 1:
        raise UsageError(f"the configuration holds {len(found)} load balancers; choose one (--lb): {listing}")
    return found[0]
