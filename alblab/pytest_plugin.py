"""The pytest plugin (entry point ``pytest11: alblab``): options, one shared emulator, parallel applies,
teardown at the end of each scope and, whatever happens, a clean slate when pytest exits.

Options: ``--alblab-aws=real`` (your credentials; refused in CI unless ``ALBLAB_ALLOW_REAL_IN_CI=1``),
``--alblab-keep`` (leave a stack up after a failing test and print how to reach it with the CLI),
``--alblab-no-dataplane``, ``--alblab-parallel N`` (applies at once, default 4).

Under pytest-xdist every worker is a pytest of its own with a session of its own: its own state directory
(chosen by the controller, so that the controller can clean up after a worker that crashed), emulator and
providers. Nothing is shared between workers, so nothing needs coordinating, and a worker that dies takes
no other worker's stacks with it; a worker applies the stacks of the tests it is given, once per scope.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import sys
import tempfile
import threading
from collections.abc import Generator, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from alblab import records
from alblab.errors import AlblabError
from alblab.session import DownReport, Session, StackHandle, new_prefix
from alblab.terraform import TerraformError
from alblab.testing import StackSpec, instance_key, spec_of

if TYPE_CHECKING:
    from alblab.testing import AlbStack

STATE = pytest.StashKey["PluginState"]()
# workerinput / workeroutput keys (pytest-xdist): the worker's state directory, and what it kept.
HOME_KEY = "alblab_home"
KEPT_KEY = "alblab_kept"
# How long the controller waits for a worker still cleaning up before it cleans up after it.
WORKER_CLEANUP_WAIT_S = 300.0


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


SHARED_SCOPES = ("session", "package", "module")


def stacks_of(item: pytest.Item) -> Iterator[tuple[str, StackSpec]]:
    """(instance key, spec) of every alblab stack fixture ``item`` uses."""
    info = getattr(item, "_fixtureinfo", None)
    for name in getattr(info, "names_closure", ()):
        for fixturedef in info.name2fixturedefs.get(name, ()):  # type: ignore[union-attr]
            spec = spec_of(fixturedef.func)
            if spec is not None:
                yield instance_key(name, spec, item), spec


def is_worker(config: pytest.Config) -> bool:
    return hasattr(config, "workerinput")


@pytest.hookimpl(tryfirst=True)  # before xdist's own hook turns xdist_group marks into node ids
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Under xdist, a test that uses a session-, package- or module-scoped stack joins the group of that
    stack: with ``--dist loadgroup`` the tests of one stack then run on one worker, which applies it once."""
    if not is_worker(config):
        return  # the xdist_group marker exists only where xdist runs
    for item in items:
        for key, spec in stacks_of(item):
            if spec.scope in SHARED_SCOPES:
                item.add_marker(pytest.mark.xdist_group(key))


@pytest.hookimpl(trylast=True)
def pytest_collection_finish(session: pytest.Session) -> None:
    """Start the applies of every session- and module-scoped stack the selected tests use, all at once:
    most of an apply is the provider's fixed waiters, not CPU. An xdist worker collects every test but runs
    only those it is sent: it starts the applies of those (``pytest_runtest_protocol``) — unless it is the
    only worker, which is sent every test in the end."""
    if session.config.option.collectonly:
        return
    if is_worker(session.config) and session.config.workerinput.get("workercount") != 1:  # type: ignore[attr-defined]
        return
    state = state_of(session.config)
    for item in session.items:
        state.prefetch_for(item)


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_protocol(item: pytest.Item, nextitem: pytest.Item | None) -> None:
    if is_worker(item.config):
        state = state_of(item.config)
        for scheduled in (item, nextitem, *xdist_scheduled(item.session)):
            if scheduled is not None:
                state.prefetch_for(scheduled)


def xdist_scheduled(session: pytest.Session) -> list[pytest.Item]:
    """The tests xdist has sent this worker and it has not started yet, so that their stacks apply side by
    side. xdist has no public hook for them: this reads its worker's queue, and reads nothing (each stack
    then applies when its first test starts) where that queue looks different."""
    for plugin in session.config.pluginmanager.get_plugins():
        queue = getattr(plugin, "torun", None)
        lock = getattr(queue, "lock", None)
        if lock is None or not hasattr(plugin, "nextitem_index"):
            continue
        try:
            with lock() as pending:
                indices = [i for i in pending if isinstance(i, int)]
        except Exception:  # another xdist version: fall back to applying when a test needs it
            return []
        return [session.items[i] for i in indices if 0 <= i < len(session.items)]
    return []


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    report = yield
    if report.failed:
        state = state_of(item.config)
        for key, _spec in stacks_of(item):
            state.failed.add(key)
    return report


@pytest.hookimpl(optionalhook=True)
def pytest_configure_node(node: Any) -> None:
    """xdist controller: give each worker its state directory (cleaned up here if the worker cannot)."""
    node.workerinput[HOME_KEY] = str(state_of(node.config).worker_home(str(node.gateway.id)))


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node: Any, error: object | None) -> None:
    """xdist controller: what the worker kept, to print with the others at the end."""
    kept = getattr(node, "workeroutput", {}).get(KEPT_KEY)
    if kept:
        state_of(node.config).kept_lines.extend(kept)


@pytest.hookimpl(trylast=True)  # after pytest has torn the fixtures down
def pytest_sessionfinish(session: pytest.Session) -> None:
    if is_worker(session.config):
        # Here, not at unconfigure: what a worker kept must reach the controller with its workeroutput.
        state = state_of(session.config)
        state.shutdown()
        session.config.workeroutput[KEPT_KEY] = state.kept_lines  # type: ignore[attr-defined]


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
        self.kept_lines: list[str] = []  # how to reach what was kept, printed at the end
        self._session: Session | None = None
        self._temp_home: Path | None = None
        self._lock = threading.Lock()
        self._pool: ThreadPoolExecutor | None = None
        self._futures: dict[str, Future[StackHandle]] = {}
        self._held = contextlib.ExitStack()  # the state directory's lock, for the whole run
        self._worker_root: Path | None = None  # xdist controller: where the workers' state directories are
        self.worker_homes: dict[str, Path] = {}

    @property
    def session(self) -> Session:
        with self._lock:
            if self._session is None:
                self._session = self._open()
            return self._session

    def _open(self) -> Session:
        session = self._new_session()
        # One pytest at a time per state directory; `alblab down` on it waits for this run to end.
        self._held.enter_context(session.exclusive("pytest"))
        return session

    def _new_session(self) -> Session:
        assigned = getattr(self.config, "workerinput", {}).get(HOME_KEY)
        if self.keep:
            # Kept stacks must be reachable with the CLI afterwards: use its state directory (a worker: the
            # one the controller named after it).
            home = Path(assigned) if assigned else records.default_home()
            existing = Session(home, aws=self.aws)
            if existing.active:
                raise pytest.UsageError(
                    f"--alblab-keep uses {home}, which holds a running session: run 'alblab down' first, "
                    f"or set {records.HOME_ENV} to another directory"
                )
            return existing
        self._temp_home = Path(assigned) if assigned else Path(tempfile.mkdtemp(prefix="alblab-pytest-"))
        return Session(self._temp_home, aws=self.aws)

    def worker_home(self, worker_id: str) -> Path:
        """xdist controller: the state directory of worker ``worker_id``."""
        if self.keep:
            default = records.default_home()
            home = default.with_name(f"{default.name}-{worker_id}")
        else:
            if self._worker_root is None:
                self._worker_root = Path(tempfile.mkdtemp(prefix="alblab-pytest-"))
            home = self._worker_root / worker_id
        self.worker_homes[worker_id] = home
        return home

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

    def prefetch_for(self, item: pytest.Item) -> None:
        """Start applying the stacks ``item`` shares with other tests (narrower ones: when it runs)."""
        for key, spec in stacks_of(item):
            if spec.scope in SHARED_SCOPES:
                self.prefetch(key, spec)

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
        """pytest is exiting (normally, after failures or after Ctrl-C): leave nothing behind. Runs once
        (an xdist worker calls it at session finish, and again at unconfigure)."""
        with self._lock:
            futures, self._futures = dict(self._futures), {}
            pool, session, self._session = self._pool, self._session, None
        try:
            if session is not None:
                self._shutdown(session, pool)
        finally:
            self._held.close()
        del futures
        self._clean_up_after_workers()
        if self.kept_lines and not is_worker(self.config):
            print("\n".join(self.kept_lines), file=sys.stderr)
            self.kept_lines = []

    def _shutdown(self, session: Session, pool: ThreadPoolExecutor | None) -> None:
        # Ctrl-C: Terraform still applying gets one SIGINT and saves its state, so destroy can remove it.
        session.interrupt(timeout=60)
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)
        if self.kept:
            for key in list(session.record.stacks):
                if key not in self.kept:
                    session.stack(key).down(DownReport())
            self.kept_lines.extend(self._kept_lines(session))
            return
        report = session.down()
        for problem in report.problems:
            print(f"alblab: could not clean up: {problem}", file=sys.stderr)
        if self._temp_home is not None and report.clean:
            shutil.rmtree(self._temp_home, ignore_errors=True)
        elif report.clean and [p.name for p in session.home.iterdir()] == [records.LOCK_NAME]:
            shutil.rmtree(session.home, ignore_errors=True)  # an --alblab-keep home that kept nothing

    def _clean_up_after_workers(self) -> None:
        """xdist controller: a worker that crashed, or was stopped before it finished, left its state
        directory up; down it (waiting for a worker still at it), then remove the workers' root."""
        for worker_id, home in sorted(self.worker_homes.items()):
            if self.keep or not home.exists():
                continue
            if not records.wait_free(home, WORKER_CLEANUP_WAIT_S):
                how = f"{records.HOME_ENV}={home} alblab down"
                print(f"alblab: worker {worker_id} is still at it; clean up with: {how}", file=sys.stderr)
                continue
            report = Session(home, aws=self.aws, recover=True).down()
            for problem in report.problems:
                print(f"alblab: could not clean up after worker {worker_id}: {problem}", file=sys.stderr)
            if report.clean:
                shutil.rmtree(home, ignore_errors=True)
        if self._worker_root is not None:
            with contextlib.suppress(OSError):
                self._worker_root.rmdir()  # only once every worker's directory is gone

    def _kept_lines(self, session: Session) -> list[str]:
        env = f"{records.HOME_ENV}={session.home}"
        lines = [f"alblab: kept {len(self.kept)} stack(s) after failing tests, in {session.home}:"]
        for key in self.kept:
            lines.append(f"  {key}: {env} alblab --stack {key} status   (then: curl /, reach INSTANCE, ...)")
        lines.append(f"  clean up with: {env} alblab down")
        return lines
