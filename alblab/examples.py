"""Example life cycle for tests, demo and benchmark: prepare → init → plan → apply → re-plan → destroy.

Each phase is timed (the benchmark reports them) and the examples of a session get unique names
(``t<4 hex>-<alias>``) because moto's state is shared and ALB / target-group names are global and short.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from alblab.model import Stack
from alblab.sources import EXAMPLES_DIR
from alblab.state import AwsClients, find_leftovers, read_stack
from alblab.terraform import TerraformError
from alblab.workspace import Workspace

# Short aliases keep "<prefix>-<alias>" ≤ 14 chars, so "<name>-<target group key>" fits the 32-char limit.
ALIASES = {
    "basic": "basic",
    "complete": "cmpl",
    "hardening": "hard",
    "https": "https",
    "multi-app": "multi",
    "path-routing": "path",
}
MAX_NAME = 14


def planned_resources(plan: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """Managed resources of a ``show -json`` plan, child modules included."""

    def walk(module: dict[str, Any]) -> Iterator[dict[str, Any]]:
        yield from (r for r in module.get("resources", []) if r.get("mode") == "managed")
        for child in module.get("child_modules", []):
            yield from walk(child)

    yield from walk(plan.get("planned_values", {}).get("root_module", {}))


def of_type(item: AppliedExample, kind: str) -> list[dict[str, Any]]:
    """Planned values of every resource of type ``kind`` in the example's plan."""
    # A resource whose every attribute is unknown at plan time comes without "values".
    return [r.get("values", {}) for r in planned_resources(item.plan_json) if r["type"] == kind]


def list_examples(root: Path = EXAMPLES_DIR) -> list[str]:
    return sorted(p.name for p in root.iterdir() if p.is_dir() and any(p.glob("*.tf")))


def run_prefix() -> str:
    return f"t{secrets.token_hex(2)}"


def unique_name(prefix: str, example: str) -> str:
    alias = ALIASES.get(example) or "".join(c for c in example.lower() if c.isalnum())[:6]
    name = f"{prefix}-{alias}"
    if len(name) > MAX_NAME:
        raise ValueError(f"{name!r} is longer than {MAX_NAME} chars; add a short alias for {example!r}")
    return name


@dataclass
class AppliedExample:
    """One example as applied for a test session. ``error`` is set when a phase failed."""

    example: str
    name: str
    workspace: Workspace
    clients: AwsClients
    plan_json: dict[str, Any] = field(default_factory=dict)
    outputs: dict[str, Any] = field(default_factory=dict)
    times: dict[str, float] = field(default_factory=dict)
    error: BaseException | None = None
    destroyed: bool = False
    destroy_error: BaseException | None = None
    replan: int | BaseException | None = None  # second plan: exit code (0 clean, 2 changes) or its error

    @property
    def alb_name(self) -> str:
        return str(self.outputs.get("alb_name") or self.name)

    def ok(self) -> AppliedExample:
        """This example, or an AssertionError naming the phase that failed."""
        if self.error is not None:
            raise AssertionError(f"{self.example} ({self.name}) did not apply: {self.error}")
        return self

    def stack(self) -> Stack:
        """A fresh read of the example's stack from the API."""
        return read_stack(self.clients, self.alb_name)

    def leftovers(self) -> list[str]:
        return find_leftovers(self.clients, self.name)

    @contextmanager
    def phase(self, label: str) -> Iterator[None]:
        start = time.monotonic()
        try:
            yield
        finally:
            self.times[label] = round(time.monotonic() - start, 1)


def prepare(
    example: str,
    name: str,
    work_root: Path,
    endpoint: str | None,
    clients: AwsClients,
    extra_vars: dict[str, Any] | None = None,
) -> AppliedExample:
    workspace = Workspace.prepare(example, name, work_root, endpoint, extra_vars=extra_vars)
    return AppliedExample(example=example, name=name, workspace=workspace, clients=clients)


def apply(item: AppliedExample) -> AppliedExample:
    """init → plan -out → show -json → apply that plan → outputs. Errors are kept, not raised."""
    runner = item.workspace.runner
    planfile = item.workspace.dir / "alblab.tfplan"
    try:
        with item.phase("init"):
            runner.init()
        with item.phase("plan"):
            runner.plan(out=planfile)
            item.plan_json = runner.show_json(planfile)
        with item.phase("apply"):
            try:
                runner.apply(planfile=planfile)
            except TerraformError as exc:
                # moto, under several applies at once, can answer a CreateRoute that the provider already
                # retried with RouteAlreadyExists (seen once in CI). A second apply converges; anything else
                # is a real failure.
                if "RouteAlreadyExists" not in str(exc):
                    raise
                runner.apply()
        item.outputs = runner.outputs()
    except Exception as exc:  # kept for the per-example tests to report
        item.error = exc
    return item


def replan_exitcode(item: AppliedExample) -> int:
    with item.phase("second_plan"):
        return item.workspace.runner.plan_exitcode()


def destroy(item: AppliedExample) -> None:
    if item.destroyed:
        return
    with item.phase("destroy"):
        item.workspace.runner.destroy()
    item.destroyed = True


def replan_all(items: list[AppliedExample]) -> None:
    """Second plan of every applied example not yet re-planned, all at once (each pays a provider start)."""

    def job(item: AppliedExample) -> None:
        try:
            item.replan = replan_exitcode(item)
        except Exception as exc:  # kept for the per-example test to report
            item.replan = exc

    run_all([i for i in items if i.error is None and i.replan is None], job)


def destroy_all(items: list[AppliedExample]) -> None:
    """Destroy every example not yet destroyed, all at once; failures are kept in ``destroy_error``."""

    def job(item: AppliedExample) -> None:
        try:
            destroy(item)
        except Exception as exc:  # kept for the per-example test to report
            item.destroy_error = exc

    run_all([i for i in items if not i.destroyed], job)


def run_all(
    items: list[AppliedExample], job: Callable[[AppliedExample], Any], workers: int | None = None
) -> None:
    """Run ``job`` on every example at once: most of an apply is the provider's fixed waiters, not CPU."""
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=workers or max(1, len(items))) as pool:
        list(pool.map(job, items))
