"""Test your own ALB configuration with pytest: a fixture factory and the object it yields.

    from alblab.testing import alb_stack

    shop = alb_stack("infra/alb", variables={"env": "test"}, scope="module")

    def test_shop_alternates(shop):
        shop.assert_alternates("/", n=6)
        shop.assert_direct_access_blocked()

    def test_new_port_drops_no_request(shop):
        change = shop.apply_change(variables={"app_port": 8081})
        change.assert_applies()
        change.assert_no_errors_during_change()
        change.assert_routes_unchanged()

The plugin (``alblab.pytest_plugin``, installed with the package) applies every stack fixture the selected
tests use against one shared emulator, in parallel, once per scope, and destroys each at the end of its scope
— after a failing test and after Ctrl-C too.
"""

from __future__ import annotations

import inspect
import itertools
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, Protocol

import pytest

from alblab import present, verify
from alblab.errors import UsageError
from alblab.model import Listener, Stack
from alblab.verdicts.routing import Request, explain, route
from alblab.verdicts.samples import describe

if TYPE_CHECKING:
    from alblab.change import ChangeReport
    from alblab.dataplane import DataPlane, HttpResult
    from alblab.session import StackHandle
    from alblab.tfstate import LoadBalancerRef


class Stacks(Protocol):
    """What a stack fixture needs from the plugin (``alblab.pytest_plugin.PluginState``)."""

    def obtain(self, key: str, spec: StackSpec) -> StackHandle: ...

    def release(self, key: str, stack: AlbStack) -> None: ...

    def dataplane_problem(self, spec: StackSpec) -> str | None: ...


Scope = Literal["session", "package", "module", "class", "function"]
_ids = itertools.count(1)


@dataclass(frozen=True)
class StackSpec:
    """What an ``alb_stack`` fixture applies."""

    id: int
    directory: Path
    variables: dict[str, Any] = field(default_factory=dict)
    var_files: tuple[Path, ...] = ()
    name_prefix: str | None = None
    scope: Scope = "module"
    lb: str = ""
    dataplane: bool = True


def alb_stack(
    directory: str | Path,
    *,
    variables: dict[str, Any] | None = None,
    var_files: Sequence[str | Path] = (),
    name_prefix: str | None = None,
    scope: Scope = "module",
    lb: str = "",
    dataplane: bool = True,
    name: str | None = None,
) -> Any:
    """A pytest fixture that applies the Terraform configuration in ``directory`` once per ``scope``.

    Relative paths are taken from the directory of the test file that calls this. ``variables`` (typed
    values) and ``var_files`` reach Terraform as var files; ``name_prefix`` starts the unique name alblab
    gives the stack (as ``var.name`` when the configuration declares it); ``lb`` picks the ALB by
    resource address or name when the configuration has several; ``dataplane=False`` never builds traffic.
    The fixture's name is the variable you assign it to (or ``name``).
    """
    caller = Path(inspect.stack()[1].filename).resolve().parent
    base = Path(directory).expanduser()
    spec = StackSpec(
        id=next(_ids),
        directory=(base if base.is_absolute() else caller / base).resolve(),
        variables=dict(variables or {}),
        var_files=tuple((Path(f) if Path(f).is_absolute() else caller / f).resolve() for f in var_files),
        name_prefix=name_prefix,
        scope=scope,
        lb=lb,
        dataplane=dataplane,
    )

    def fixture(request: pytest.FixtureRequest, alblab_state: Stacks) -> Iterator[AlbStack]:
        state = alblab_state  # the plugin's fixture: one session and its stacks for the whole run
        key = instance_key(request.fixturename, spec, request)
        handle = state.obtain(key, spec)
        stack = AlbStack(handle, spec, state)
        try:
            yield stack
        finally:
            state.release(key, stack)

    fixture._alblab_spec = spec  # type: ignore[attr-defined]  # found by the plugin to apply ahead
    return pytest.fixture(scope=scope, name=name)(fixture)


def spec_of(func: Any) -> StackSpec | None:
    return getattr(func, "_alblab_spec", None)


def instance_key(fixturename: str, spec: StackSpec, node: Any) -> str:
    """One key per fixture instance: the fixture name, plus where its scope lives when narrower than the
    session (also the stack's name for ``alblab --stack`` after ``--alblab-keep``)."""
    path = getattr(node, "path", None) or getattr(getattr(node, "node", None), "path", None)
    if spec.scope in ("session", "package"):
        return fixturename
    module = re.sub(r"[^A-Za-z0-9_]", "_", Path(str(path)).stem) if path else "m"
    if spec.scope == "module":
        return f"{fixturename}-{module}"
    test = getattr(node, "name", None) or getattr(getattr(node, "node", None), "name", "t")
    return f"{fixturename}-{module}-{re.sub(r'[^A-Za-z0-9_]', '_', str(test))}"


class AlbStack:
    """One applied configuration, as a test sees it: Terraform's view, the API's view, and traffic."""

    def __init__(self, handle: StackHandle, spec: StackSpec, state: Stacks) -> None:
        self.handle = handle
        self.spec = spec
        self._state = state
        self._stack: Stack | None = None
        self._plane: DataPlane | None = None
        self._outputs: dict[str, Any] | None = None

    # --- Terraform and the API -------------------------------------------------------------------------

    @property
    def name(self) -> str:
        return self.handle.name

    @property
    def account(self) -> str:
        """The emulated AWS account the stack lives in: its own, so fixed names never meet another stack's
        ("" with ``--alblab-aws=real``: your credentials decide)."""
        return self.handle.account

    @property
    def outputs(self) -> dict[str, Any]:
        if self._outputs is None:
            self._outputs = self.handle.outputs()
        return self._outputs

    @property
    def plan(self) -> dict[str, Any]:
        """The saved plan of the apply, as ``terraform show -json`` gives it."""
        return self.handle.plan_json()

    @property
    def lb(self) -> LoadBalancerRef:
        return self.handle.lb

    @property
    def stack(self) -> Stack:
        """The ALB and everything around it, read back from the AWS API (cached; ``refresh()`` rereads)."""
        if self._stack is None:
            self._stack = self.handle.read()
        return self._stack

    def refresh(self) -> Stack:
        self._stack = None
        self._outputs = None
        stack = self.stack
        if self._plane is not None:
            self._plane.converge(stack)
        return stack

    def second_plan_changes(self) -> list[str]:
        """What a second ``terraform plan`` would change (empty: the apply converged)."""
        if self.handle.replan_exitcode() == 0:
            return []
        return self.handle.plan_changes()

    def assert_second_plan_clean(self) -> None:
        changes = self.second_plan_changes()
        assert not changes, "a second terraform plan is not clean; it would: " + "; ".join(changes)

    def verdicts(self) -> list[verify.Result]:
        """The SG and routing verdicts ``alblab check`` runs, from the API state."""
        return verify.verdicts(self.stack)

    def assert_verdicts(self) -> None:
        failed = [r for r in self.verdicts() if r.status == "fail"]
        assert not failed, "\n".join(f"{r.name}:\n  " + "\n  ".join(r.lines or [r.detail]) for r in failed)

    def route(
        self,
        path: str = "/",
        *,
        method: str = "GET",
        host: str = "",
        headers: dict[str, str] | None = None,
        port: int | None = None,
        source_ip: str = "",
    ) -> str:
        """Which action the listener's rules give this request, in words (the ALB rule evaluator)."""
        listener = self._listener(port)
        decision = route(listener, Request(method, host, path, headers or {}, [], source_ip))
        return present.action(self.stack, decision.action)

    # --- a change over this stack -------------------------------------------------------------------

    def apply_change(
        self, directory: str | Path | None = None, variables: dict[str, Any] | None = None
    ) -> ChangeReport:
        """Apply ``directory`` (relative to the calling test file; default: the same configuration) and/or
        ``variables`` (merged over the fixture's) over this stack's Terraform state, as a pull request
        would, with requests through the data plane while it applies. The stack is the changed one
        afterwards (for the rest of the fixture's scope). The report has ``assert_applies()``,
        ``assert_routes_unchanged(except_=...)`` and ``assert_no_errors_during_change()`` (skipped, with the
        reason, where the data plane cannot run)."""
        from alblab.change import apply_change

        source = None
        if directory is not None:
            caller = Path(inspect.stack()[1].filename).resolve().parent
            path = Path(directory).expanduser()
            source = (path if path.is_absolute() else caller / path).resolve()
        report = apply_change(
            self.handle, source, variables, plane_problem=self._state.dataplane_problem(self.spec)
        )
        report.unchecked = pytest.skip
        self._stack = None
        self._outputs = None
        self._plane = None  # attached again on next use, to the plane that followed the change
        return report

    # --- traffic ------------------------------------------------------------------------------------

    @property
    def plane(self) -> DataPlane:
        """The data plane (built on first use). Tests that need it are skipped, with the reason, where it
        cannot run (no root and no user namespaces, ``--alblab-no-dataplane``, real AWS)."""
        why = self._state.dataplane_problem(self.spec)
        if why:
            pytest.skip(f"alblab data plane not available: {why}")
        if self._plane is None:
            self._plane = self.handle.plane(self.stack)
            self._plane.wait_all_healthy()
        return self._plane

    def curl(
        self,
        path: str = "/",
        *,
        method: str = "GET",
        host: str | None = None,
        headers: dict[str, str] | Sequence[str] = (),
        port: int | None = None,
    ) -> HttpResult:
        """One request from the client namespace to the ALB's DNS name."""
        lines = [f"{k}: {v}" for k, v in headers.items()] if isinstance(headers, dict) else list(headers)
        return self.plane.curl(path, method, host, lines, port)

    def reach(self, instance: str, port: int = 80) -> str:
        """A direct attempt from the internet: "open", "blocked" or "refused"."""
        plane = self.plane
        return plane.probe(plane.resolve_owner(instance), port)

    def fail(self, instance: str, mode: str = "unhealthy") -> None:
        plane = self.plane
        plane.fail(plane.resolve_owner(instance), mode)

    def heal(self, instance: str) -> None:
        plane = self.plane
        plane.heal(plane.resolve_owner(instance))

    def wait_health(self, instance: str, state: str = "healthy", timeout: float = 60.0) -> float:
        """Poll until every ALB node sees ``instance`` in ``state``; returns the seconds it took."""
        plane = self.plane
        owner = plane.resolve_owner(instance)

        def holds(health: dict[str, dict[str, str]]) -> bool:
            words = [
                w for rows in health.values() for target, w in rows.items() if target.startswith(f"{owner}:")
            ]
            return bool(words) and all(w == state for w in words)

        return plane.wait_health(holds, timeout)

    # --- assertions whose failure says what to fix -----------------------------------------------------

    def assert_alternates(
        self,
        path: str = "/",
        n: int = 6,
        *,
        port: int | None = None,
        host: str = "",
        headers: dict[str, str] | None = None,
    ) -> list[str]:
        """``n`` requests answered by the forwarded group's targets in turn; returns who answered, in turn."""
        listener = self._listener(port)
        request = Request("GET", host, path, headers or {}, [])
        decision = route(listener, request)
        action = decision.action
        assert action.type == "forward" and len(action.target_groups) == 1, (
            f"{describe(request)} does not forward to one target group: the ALB answers "
            f"'{present.action(self.stack, action)}' ({_which(decision.priority)})"
        )
        tg = self.stack.target_groups[action.target_groups[0].target_group_arn]
        ok, text = verify.alternation(self.plane, self.stack, listener, request, tg, n)
        assert ok, f"targets of {tg.name} did not answer in turn: {text}"
        return text.rsplit(": ", 1)[-1].split()

    def assert_direct_access_blocked(self) -> None:
        result = verify.direct_access_blocked(self.plane, self.stack)
        assert result.status != "fail", "direct access is not blocked:\n  " + "\n  ".join(result.lines)

    def assert_client_ip_forwarded(self, path: str = "/") -> None:
        reply = self.curl(path)
        seen = reply.fields().get("x-forwarded-for", [])
        client = self.plane.client_ip
        assert any(client in line for line in seen), (
            f"GET {path}: the target saw X-Forwarded-For {seen or 'none'}, not the client {client}"
        )

    def assert_lands(
        self,
        path: str = "/",
        *,
        target_group: str | None = None,
        status: int | None = None,
        body: str | None = None,
        method: str = "GET",
        host: str = "",
        headers: dict[str, str] | None = None,
        port: int | None = None,
    ) -> HttpResult:
        """The request lands on ``target_group`` (its name or its ARN), or the ALB answers ``status`` (and
        ``body``) itself. On a miss, says which rule matched instead and why the others did not."""
        listener = self._listener(port)
        request = Request(method, host, path, headers or {}, [], self.plane.client_ip)
        reply = self.curl(path, method=method, host=host or None, headers=headers or {}, port=listener.port)
        problem = ""
        if target_group is not None:
            tg = next((t for t in self.stack.target_groups.values() if target_group in (t.name, t.arn)), None)
            assert tg is not None, f"no target group {target_group!r}; the stack has: " + ", ".join(
                sorted(t.name for t in self.stack.target_groups.values())
            )
            who = verify.answered_by(reply)
            if who not in verify.registrations(self.stack, tg):
                problem = f"answered {reply.status} by {who or 'the ALB itself'}, not a target of {tg.name}"
        if status is not None and reply.status != status:
            problem = problem or f"answered {reply.status}, not {status}"
        if body is not None and reply.body.strip() != body.strip():
            problem = problem or f"answered body {reply.body[:80]!r}, not {body!r}"
        if problem:
            decision = route(listener, request)
            why = "; ".join(
                f"rule {o.priority}: {o.reason}" for o in explain(listener, request) if not o.matched
            )
            raise AssertionError(
                f"{describe(request)}: {problem}. The listener's rules pick {_which(decision.priority)} "
                f"('{present.action(self.stack, decision.action)}'). "
                f"Rules that did not match: {why or 'none'}"
            )
        return reply

    def _listener(self, port: int | None) -> Listener:
        listeners = self.stack.load_balancer.listeners
        if port is None:
            if not listeners:
                raise UsageError(f"{self.stack.load_balancer.name} has no listener")
            return next((lst for lst in listeners if lst.port == 80), listeners[0])
        for listener in listeners:
            if listener.port == port:
                return listener
        raise UsageError(
            f"{self.stack.load_balancer.name} has no listener on port {port}; it listens on "
            + ", ".join(str(lst.port) for lst in listeners)
        )


def _which(priority: int | None) -> str:
    return "the default action" if priority is None else f"rule {priority}"
