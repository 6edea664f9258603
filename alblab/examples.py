"""The repository's examples in a test session, on the session life cycle: apply all at once, re-plan,
destroy, each phase timed (the benchmark reports them).

Examples of one session get unique names (``t<4 hex>-<alias>``) because the emulator's state is shared and
ALB / target-group names are global and short.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from alblab.model import Stack
from alblab.session import Session, StackHandle, new_prefix, unique_name
from alblab.sources import list_examples
from alblab.state import AwsClients, find_leftovers
from alblab.workspace import Workspace

__all__ = [
    "AppliedExample",
    "apply",
    "destroy_all",
    "list_examples",
    "of_type",
    "plan",
    "planned_resources",
    "prepare",
    "replan_all",
    "run_all",
    "run_prefix",
    "unique_name",
]


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


def run_prefix() -> str:
    return new_prefix("t")


@dataclass
class AppliedExample:
    """One example as applied for a test session. ``error`` is set when a phase failed."""

    example: str
    handle: StackHandle
    clients: AwsClients
    plan_json: dict[str, Any] = field(default_factory=dict)
    outputs: dict[str, Any] = field(default_factory=dict)
    error: BaseException | None = None
    destroyed: bool = False
    destroy_error: BaseException | None = None
    replan: int | BaseException | None = None  # second plan: exit code (0 clean, 2 changes) or its error
    extra_vars: dict[str, Any] | None = None  # harness inputs for variables the example declares

    @property
    def name(self) -> str:
        return self.handle.name

    @property
    def workspace(self) -> Workspace:
        return self.handle.workspace

    @property
    def times(self) -> dict[str, float]:
        return self.handle.times

    @property
    def summary(self) -> dict[str, Any]:
        """The example's one promise output: alb_name, dns_name, instance_ids, target_group_names,
        security_group_ids, routes."""
        summary: dict[str, Any] = self.outputs.get("summary", {})
        return summary

    @property
    def alb_name(self) -> str:
        return self.handle.lb.name

    def ok(self) -> AppliedExample:
        """This example, or an AssertionError naming the phase that failed."""
        if self.error is not None:
            raise AssertionError(f"{self.example} ({self.name}) did not apply: {self.error}")
        return self

    def stack(self) -> Stack:
        """A fresh read of the example's stack from the API."""
        return self.handle.read()

    def leftovers(self) -> list[str]:
        return find_leftovers(self.clients, self.name)

    @contextmanager
    def phase(self, label: str) -> Iterator[None]:
        with self.handle.phase(label):
            yield


def prepare(
    session: Session, example: str, name: str, extra_vars: dict[str, Any] | None = None
) -> AppliedExample:
    handle = session.add_stack(name, example, name=name)
    return AppliedExample(example=example, handle=handle, clients=handle.clients(), extra_vars=extra_vars)


def plan(item: AppliedExample) -> AppliedExample:
    """init → plan -out → its ``show -json``. Errors are kept, not raised."""
    try:
        item.handle.plan(extra_vars=item.extra_vars)
        item.plan_json = item.handle.plan_json()
    except Exception as exc:  # kept for the per-example tests to report
        item.error = exc
    return item


def apply(item: AppliedExample) -> AppliedExample:
    """The saved plan (made first when missing) applied → outputs. Errors are kept, not raised."""
    if not item.plan_json and item.error is None:
        plan(item)
    if item.error is not None:
        return item
    try:
        item.handle.apply_plan()
        item.outputs = item.handle.outputs()
    except Exception as exc:  # kept for the per-example tests to report
        item.error = exc
    return item


def replan_all(items: list[AppliedExample]) -> None:
    """Second plan of every applied example not yet re-planned, all at once (each pays a provider start)."""

    def job(item: AppliedExample) -> None:
        try:
            item.replan = item.handle.replan_exitcode()
        except Exception as exc:  # kept for the per-example test to report
            item.replan = exc

    run_all([i for i in items if i.error is None and i.replan is None], job)


def destroy_all(items: list[AppliedExample]) -> None:
    """Destroy every example not yet destroyed, all at once; failures are kept in ``destroy_error``."""

    def job(item: AppliedExample) -> None:
        if item.destroyed:
            return
        try:
            item.handle.destroy()
            item.destroyed = True
        except Exception as exc:  # kept for the per-example test to report
            item.destroy_error = exc

    for item in items:
        if not item.destroyed and not item.handle.has_state():
            item.destroyed = True  # only planned, or nothing made: no destroy (each costs a provider start)
    run_all([i for i in items if not i.destroyed], job)


def run_all(
    items: list[AppliedExample], job: Callable[[AppliedExample], Any], workers: int | None = None
) -> None:
    """Run ``job`` on every example at once: most of an apply is the provider's fixed waiters, not CPU."""
    if not items:
        return
    with ThreadPoolExecutor(max_workers=workers or len(items)) as pool:
        list(pool.map(job, items))
