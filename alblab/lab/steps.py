"""The lab's steps: which files each one copies into the lab workdir, and what to run afterwards.

The .tf files live in docs/lab/steps/NN-*/ so that the docs link the very files the lab applies.
A file with the same name as an earlier step's file replaces it (step 6 swaps the instances' ingress).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

STEPS_DIR = Path(__file__).resolve().parents[2] / "docs" / "lab" / "steps"
BASE_DIR = STEPS_DIR / "00-base"


@dataclass(frozen=True)
class Step:
    number: int
    title: str
    directory: str | None  # under STEPS_DIR; None = nothing to apply, only commands to run
    try_next: tuple[str, ...]  # commands printed after the step is reached

    def files(self) -> list[Path]:
        if self.directory is None:
            return []
        return sorted((STEPS_DIR / self.directory).glob("*.tf"))


STEPS: tuple[Step, ...] = (
    Step(1, "Security groups for the ALB and the instances", "01-security-groups", ("alblab lab show",)),
    Step(2, "A target group with the two instances", "02-target-group", ("alblab lab show",)),
    Step(3, "The ALB with an HTTP listener", "03-alb", ("alblab lab curl --count 2",)),
    Step(
        4,
        "One name, two instances in turn; the instance's view",
        None,
        ("alblab lab curl --count 4", "alblab lab curl --view", "alblab lab reach", "alblab lab diagram"),
    ),
    Step(
        5,
        "A failing instance leaves, a healed one comes back",
        None,
        (
            "alblab lab fail web-a",
            "alblab lab curl --count 4",
            "alblab lab diagram",
            "alblab lab heal web-a",
            "alblab lab health",
        ),
    ),
    Step(
        6,
        "Hardening 1: instances accept only the ALB's security group",
        "06-harden-sg",
        ("alblab lab show", "alblab lab reach", "alblab lab curl --count 2", "alblab lab diagram"),
    ),
    Step(
        7,
        "Hardening 2: a fixed-response rule for /admin",
        "07-fixed-response",
        ("alblab lab curl /admin", "alblab lab curl /", "alblab lab diagram"),
    ),
    Step(
        8,
        "Path routing: /mobile to the instances, /desktop to an on-prem IP target",
        "08-path-routing",
        (
            "alblab lab curl /mobile --count 2",
            "alblab lab curl /desktop",
            "alblab lab health",
            "alblab lab diagram",
        ),
    ),
    Step(
        9,
        "Several apps on one instance: one target group per port",
        "09-multi-app",
        ("alblab lab curl /shop --count 2", "alblab lab curl /blog --count 2", "alblab lab health"),
    ),
)

LAST = STEPS[-1].number


def step(number: int) -> Step:
    for candidate in STEPS:
        if candidate.number == number:
            return candidate
    raise KeyError(f"no lab step {number} (steps are 1..{LAST})")
