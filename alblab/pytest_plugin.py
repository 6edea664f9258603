"""The pytest plugin (entry point ``pytest11: alblab``): options, one shared emulator, parallel applies,
teardown at the end of each scope and, whatever happens, a clean slate when pytest exits.

Options: ``--alblab-aws=real`` (your credentials; refused in CI unless ``ALBLAB_ALLOW_REAL_IN_CI=1``),
``--alblab-keep`` (leave a stack up after a failing test and print how to reach it with the CLI),
``--alblab-no-dataplane``, ``--alblab-parallel N`` (applies at once, default 4).
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
import threading
from collections.abc import Generator
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from alblab import records
from alblab.errors import AlblabError
from alblab.session import DownReport, Session, StackHandle, new_prefix
from alblab.terraform import TerraformError
from alblab.testing import StackSpec, instance_key, spec_of

if TYPE_CHECKING:
    from alblab.testing import AlbStack

STATE = pytest.StashKey["PluginState"]()


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("alblab", "alblab: ALB stacks against an embedded AWS emulator")
    group.addoption(
        "--alblab-aws",
        choices=("emulator", "real"),
        default=os.environ.get("ALBLAB_AWS", "emulator"),
        help="emulator (default): an embedded moto server; real: your AWS account (billed)",
    )
    group.addoption(
        "--alblab-keep",
        action="store_true",
        help="leave a stack up after a failing test (in $ALBLAB_HOME) and print how to reach it",
    )
    group.addoption("--alblab-no-dataplane", action="store_true", help="never build the local data plane")
    group.addoption("--alblab-parallel", type=int, default=4, help="stacks applied at once (default 4)")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "alblab: uses an alblab stack fixture")
    # python-terraform's own logging call, not the user's code: keep it out of their warnings summary.
    config.addinivalue_line("filterwarnings", "ignore:The 'warn' method is deprecated:DeprecationWarning")
    real = config.getoption("--alblab-aws") == "real"
    if real and os.environ.get("CI") and os.environ.get("ALBLAB_ALLOW_REAL_IN_CI") != "1":
        raise pytest.UsageError(
            "--alblab-aws=real is refused in CI (CI is set); set ALBLAB_ALLOW_REAL_IN_CI=1 to allow it"
        )
    config.stash[STATE] = PluginState(config)


def state_of(config: pytest.Config) -> PluginState:
    return config.stash[STATE]


@pytest.fixture(scope="session")
def alblab_state(pytestconfig: pytest.Config) -> PluginState:
    """The run's one session and its stacks; every ``alb_stack`` fixture asks for it."""
    return state_of(pytestconfig)


@pytest.hookimpl(trylast=True)
def pytest_collection_finish(session: pytest.Session) -> None:
    """Start the applies of every session- and module-scoped stack the selected tests use, all at once:
    most of an apply is the provider's fixed waiters, not CPU."""
    state = state_of(session.config)
    for item in session.items:
        info = getattr(item, "_fixtureinfo", None)
        if info is None:
            continue
        for name in info.names_closure:
            for fixturedef in info.name2fixturedefs.get(name, ()):
                spec = spec_of(fixturedef.func)
                if spec is not None and spec.scope in ("session", "package", "module"):
                    state.prefetch(instance_key(name, spec, item), spec)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    report = yield
    if report.failed:
        state = state_of(item.config)
        info = getattr(item, "_fixtureinfo", None)
        for name in getattr(info, "names_closure", ()):
            for fixturedef in info.name2fixturedefs.get(name, ()):  # type: ignore[union-attr]
                spec = spec_of(fixturedef.func)
                if spec is not None:
                    state.failed.add(instance_key(name, spec, item))
    return report


def pytest_unconfigure(config: pytest.Config) -> None:
    state = config.stash.get(STATE, None)
    if state is not None:
        state.shutdown()


class PluginState:
    """One session (state dir + emulator) for the whole pytest run, and the stacks applied in it."""

    def __init__(self, config: pytest.Config) -> None:
        self.config = config
        self.aws = str(config.getoption("--alblab-aws"))
        self.keep = bool(config.getoption("--alblab-keep"))
        self.no_dataplane = bool(config.getoption("--alblab-no-dataplane"))
        self.parallel = max(1, int(config.getoption("--alblab-parallel")))
        self.failed: set[str] = set()
        self.kept: list[str] = []
        self._session: Session | None = None
        self._temp_home: Path | None = None
        self._lock = threading.Lock()
        self._pool: ThreadPoolExecutor | None = None
        self._futures: dict[str, Future[StackHandle]] = {}

    @property
    def session(self) -> Session:
        with self._lock:
            if self._session is None:
                self._session = self._open()
            return self._session

    def _open(self) -> Session:
        if self.keep:
            # Kept stacks must be reachable with the CLI afterwards: use its state directory.
            home = records.default_home()
            existing = Session(home, aws=self.aws)
            if existing.active:
                raise pytest.UsageError(
                    f"--alblab-keep uses {home}, which holds a running session: run 'alblab down' first, "
                    f"or set {records.HOME_ENV} to another directory"
                )
            return existing
        self._temp_home = Path(tempfile.mkdtemp(prefix="alblab-pytest-"))
        return Session(self._temp_home, aws=self.aws)

    def dataplane_problem(self, spec: StackSpec) -> str | None:
        if self.no_dataplane:
            return "--alblab-no-dataplane"
        if not spec.dataplane:
            return "the fixture says dataplane=False"
        if self.aws == "real":
            return "it emulates AWS; not run with --alblab-aws=real"
        from alblab.dataplane import availability

        return availability()

    # --- applying -------------------------------------------------------------------------------------

    def prefetch(self, key: str, spec: StackSpec) -> None:
        with self._lock:
            if key in self._futures:
                return
            if self._pool is None:
                self._pool = ThreadPoolExecutor(max_workers=self.parallel, thread_name_prefix="alblab-apply")
            self._futures[key] = self._pool.submit(self._apply, key, spec)

    def _apply(self, key: str, spec: StackSpec) -> StackHandle:
        session = self.session
        handle = session.add_stack(
            key,
            spec.directory,
            variables=spec.variables,
            var_files=[str(f) for f in spec.var_files],
            lb=spec.lb,
            prefix=f"{spec.name_prefix}{new_prefix('')}" if spec.name_prefix else new_prefix("p"),
        )
        handle.apply(saved_plan=True)
        return handle

    def obtain(self, key: str, spec: StackSpec) -> StackHandle:
        self.prefetch(key, spec)
        try:
            return self._futures[key].result()
        except AlblabError as exc:
            failures = exc.failures() if isinstance(exc, TerraformError) else []
            detail = "".join(f"\n  {line}" for line in failures) + (f"\n{exc.detail}" if exc.detail else "")
            pytest.fail(
                f"alblab: stack {key} ({spec.directory}) did not apply: {exc.args[0]}{detail}", pytrace=False
            )

    def release(self, key: str, stack: AlbStack) -> None:
        """End of the fixture's scope: destroy it — unless ``--alblab-keep`` and one of its tests failed."""
        future = self._futures.pop(key, None)
        if future is None or not future.done() or future.exception() is not None:
            return
        handle = future.result()
        if self.keep and key in self.failed:
            self.kept.append(key)
            return
        report = DownReport()
        handle.down(report)
        if report.problems:
            pytest.fail(
                f"alblab: tearing down {key} left something: {'; '.join(report.problems)}", pytrace=False
            )

    def shutdown(self) -> None:
        """pytest is exiting (normally, after failures or after Ctrl-C): leave nothing behind."""
        with self._lock:
            futures, self._futures = dict(self._futures), {}
            pool, session = self._pool, self._session
        if session is None:
            return
        # Ctrl-C: Terraform still applying gets one SIGINT and saves its state, so destroy can remove it.
        session.interrupt(timeout=60)
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)
        del futures
        if self.kept:
            for key in list(session.record.stacks):
                if key not in self.kept:
                    session.stack(key).down(DownReport())
            self._print_kept(session)
            return
        report = session.down()
        for problem in report.problems:
            print(f"alblab: could not clean up: {problem}", file=sys.stderr)
        if self._temp_home is not None and report.clean:
            shutil.rmtree(self._temp_home, ignore_errors=True)

    def _print_kept(self, session: Session) -> None:
        env = f"{records.HOME_ENV}={session.home}"
        lines = [f"alblab: kept {len(self.kept)} stack(s) after failing tests, in {session.home}:"]
        for key in self.kept:
            lines.append(f"  {key}: {env} alblab --stack {key} status   (then: curl /, reach INSTANCE, ...)")
        lines.append(f"  clean up with: {env} alblab down")
        print("\n".join(lines), file=sys.stderr)
