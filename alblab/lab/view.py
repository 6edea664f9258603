"""What a check may look at: a read-only picture of the lab at one moment, taken by the engine."""

from __future__ import annotations

from dataclasses import dataclass

from alblab.lab.observe import Traffic
from alblab.lab.resources import LabResources
from alblab.model import Stack


@dataclass(frozen=True)
class LabView:
    name: str  # the prefix of every resource name ("lab")
    step: int
    resources: LabResources  # security groups, instances, target groups, as the API lists them
    stack: Stack | None  # the stack around the ALB; None before step 3
    traffic: Traffic | None  # requests and health through the data plane; None before step 3
