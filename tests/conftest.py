"""Session fixtures shared by every test module: emulator, AWS clients, and the applied examples.

Examples are applied ONCE per session, all at once in threads (the provider's fixed waiters are idle
time). Their destroy starts in the background once the last test that uses them is done; tests marked
``destroy_phase`` run last and wait for it (``destroyed``); the ``example_job`` finalizer destroys whatever
is still up, so an aborted run leaves nothing behind in the emulator (or in a real account).
"""

from __future__ import annotations

import json
import os
import signal
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from jobs import JobContext, Jobs, registered_modules

from alblab import examples as ex
from alblab.session import Session
from alblab.state import AwsClients

# Projects the tests run pytest or alblab check on; not tests of this suite.
collect_ignore = ["fixtures"]

APPLY_TIMEOUT = 900
DEFAULT_TIMEOUT = 300
# Fixtures that use the examples' plans or stacks; the others a test may wait for (the early jobs).
STACK_USERS = {"planned", "applied"}
WAITS_FOR = {"jobs", "bad_plan", "validations"}


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--aws",
        choices=("emulator", "real"),
        default=os.environ.get("ALBLAB_AWS", "emulator"),
        help="emulator (default): embedded moto server; real: the caller's AWS account and credentials",
    )


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "destroy_phase: runs after every other test (destroy + leak check)")
    config.addinivalue_line(
        "markers", "change_phase: runs after the other tests, before the destroy phase (changes the stacks)"
    )
    if config.getoption("--aws") == "real" and os.environ.get("CI"):
        raise pytest.UsageError("--aws=real is never run in CI (CI is set)")
    # The Ctrl-C tests send SIGINT to the processes they start. A shell that starts the suite in the
    # background (`make test &`, a CI runner) ignores SIGINT, and every child would inherit the ignore.
    if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
        signal.signal(signal.SIGINT, signal.default_int_handler)


@pytest.hookimpl(trylast=True)  # after -m and -k have deselected: decide on what really runs
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    real = config.getoption("--aws") == "real"
    for item in items:
        if item.get_closest_marker("timeout") is None:
            # The examples' users and the early jobs' waiters may wait for an apply or a job first.
            slow = bool(set(getattr(item, "fixturenames", ())) & ({"applied"} | WAITS_FOR))
            item.add_marker(pytest.mark.timeout(APPLY_TIMEOUT if slow else DEFAULT_TIMEOUT))
        if item.get_closest_marker("real_aws") and not real:
            item.add_marker(pytest.mark.skip(reason="needs --aws=real"))
        if item.get_closest_marker("dataplane") and real:
            item.add_marker(pytest.mark.skip(reason="the data plane emulates AWS; not run with --aws=real"))
    uses = [set(getattr(i, "fixturenames", ())) for i in items]
    config._alblab_needs_apply = any("applied" in names for names in uses)  # type: ignore[attr-defined]
    config._alblab_needs_plan = any(names & {"applied", "planned"} for names in uses)  # type: ignore[attr-defined]
    config._alblab_files = {Path(str(i.path)).resolve() for i in items}  # type: ignore[attr-defined]

    # Stable sort, otherwise pytest's order: first what needs nothing from the background (it runs while the
    # examples and the early jobs work), then what uses the examples' stacks, then the changes applied over
    # them; the examples' destroy starts in the background after the last of these (pytest_runtest_teardown),
    # while the tests that wait for the early jobs run; the destroy-phase tests last.
    def order(item: pytest.Item) -> int:
        names = set(getattr(item, "fixturenames", ()))
        if item.get_closest_marker("destroy_phase"):
            return 4
        if item.get_closest_marker("change_phase"):
            return 2
        if names & STACK_USERS:
            return 1
        return 3 if names & WAITS_FOR else 0

    items.sort(key=order)
    users = [i for i in items if "applied" in getattr(i, "fixturenames", ()) and order(i) < 4]
    config._alblab_last_stack_user = users[-1] if users else None  # type: ignore[attr-defined]


@pytest.hookimpl(trylast=True)  # after the test's own fixtures are torn down
def pytest_runtest_teardown(item: pytest.Item, nextitem: pytest.Item | None) -> None:
    job = getattr(item.config, "_alblab_example_job", None)
    if job is not None and item is getattr(item.config, "_alblab_last_stack_user", None):
        job.destroy_in_background()


@pytest.fixture(scope="session")
def aws_mode(pytestconfig: pytest.Config) -> str:
    return str(pytestconfig.getoption("--aws"))


@pytest.fixture(scope="session")
def work_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("alblab")


@pytest.fixture(scope="session")
def alblab_session(aws_mode: str, work_root: Path) -> Iterator[Session]:
    """One session (emulator or real AWS) for the whole run; down at the end, whatever happened."""
    # One aws provider for all of the run's Terraform commands (one emulator): see alblab.providers.
    session = Session(work_root / "session", aws=aws_mode, shared_provider=True)
    session.ensure_emulator()
    try:
        yield session
    finally:
        session.interrupt(timeout=60)
        report = session.down()
        for problem in report.problems:
            print(f"alblab: could not clean up: {problem}")


@pytest.fixture(scope="session")
def endpoint(alblab_session: Session) -> str | None:
    return alblab_session.endpoint


@pytest.fixture(scope="session")
def clients(alblab_session: Session) -> AwsClients:
    return alblab_session.clients()


@pytest.fixture(scope="session")
def run_prefix() -> str:
    return ex.run_prefix()


class ExampleJob:
    """Every example in a thread of its own: plan (with its ``show -json``), then — when a selected test
    needs the stacks — apply that plan. Started at the beginning of the session, so the tests that need
    neither (static checks, bad input, unit tests) run while the provider sits in its fixed waiters; the plan
    is shared by the static, plan and apply tests."""

    def __init__(self, items: list[ex.AppliedExample], apply: bool) -> None:
        self.items = items
        self.apply = apply
        self._planned = {item.example: threading.Event() for item in items}
        self._destroy: threading.Thread | None = None
        self._destroy_lock = threading.Lock()
        self._thread = threading.Thread(
            target=ex.run_all, args=(items, self._one), name="alblab-examples", daemon=True
        )
        self._thread.start()

    def _one(self, item: ex.AppliedExample) -> None:
        try:
            ex.plan(item)
        finally:
            self._planned[item.example].set()
        if self.apply:
            ex.apply(item)

    def planned(self) -> dict[str, ex.AppliedExample]:
        for event in self._planned.values():
            event.wait()
        return {item.example: item for item in self.items}

    def wait(self) -> dict[str, ex.AppliedExample]:
        self._thread.join()
        return {item.example: item for item in self.items}

    def destroy_in_background(self) -> None:
        """Start destroying every example (once its apply is done); no test may use the stacks after this."""
        with self._destroy_lock:
            if self._destroy is None:
                self._destroy = threading.Thread(
                    target=lambda: ex.destroy_all(list(self.wait().values())),
                    name="alblab-examples-destroy",
                    daemon=True,
                )
                self._destroy.start()

    def destroyed(self) -> dict[str, ex.AppliedExample]:
        self.destroy_in_background()
        assert self._destroy is not None
        self._destroy.join()
        return {item.example: item for item in self.items}


@pytest.fixture(scope="session")
def example_job(
    alblab_session: Session, run_prefix: str, pytestconfig: pytest.Config
) -> Iterator[ExampleJob]:
    items = [
        ex.prepare(alblab_session, name, ex.unique_name(run_prefix, name)) for name in ex.list_examples()
    ]
    job = ExampleJob(items, apply=getattr(pytestconfig, "_alblab_needs_apply", True))
    pytestconfig._alblab_example_job = job  # type: ignore[attr-defined]  # for pytest_runtest_teardown
    try:
        yield job
    finally:
        pytestconfig._alblab_example_job = None  # type: ignore[attr-defined]
        # Destroy whatever is still up (an aborted run, a deselected destroy phase); never raises, the
        # emulator must still stop.
        job.destroyed()
        for item in items:
            if item.destroy_error is not None:
                print(f"alblab: destroy of {item.name} failed: {item.destroy_error}")
        timings = os.environ.get("ALBLAB_TIMINGS")
        if timings:
            # benchmarks/suite.py reads the per-example phase times of the session from here.
            Path(timings).write_text(json.dumps({i.example: i.times for i in items}, indent=2))


@pytest.fixture(scope="session", autouse=True)
def _start_examples_early(request: pytest.FixtureRequest) -> None:
    if getattr(request.config, "_alblab_needs_plan", False):
        request.getfixturevalue("example_job")
    if registered_modules() & getattr(request.config, "_alblab_files", set()):
        request.getfixturevalue("jobs")


@pytest.fixture(scope="session")
def jobs(
    alblab_session: Session, work_root: Path, run_prefix: str, pytestconfig: pytest.Config
) -> Iterator[Jobs]:
    """The early jobs of the selected test modules (see tests/jobs.py), running from the session's start."""
    selected = set(getattr(pytestconfig, "_alblab_files", ()))
    context = JobContext(work_root, alblab_session.endpoint, run_prefix, alblab_session.terraform_env())
    running = Jobs(context, selected)
    try:
        yield running
    finally:
        running.shutdown()


@pytest.fixture(scope="session")
def planned(example_job: ExampleJob) -> dict[str, ex.AppliedExample]:
    """example name -> AppliedExample with its ``plan_json`` (``.error`` set when the plan failed)."""
    return example_job.planned()


@pytest.fixture(scope="session")
def applied(example_job: ExampleJob) -> dict[str, ex.AppliedExample]:
    """example name -> AppliedExample (``.error`` set when its apply failed; ``.ok()`` raises then)."""
    return example_job.wait()


@pytest.fixture(scope="session")
def destroyed(applied: dict[str, ex.AppliedExample], example_job: ExampleJob) -> dict[str, ex.AppliedExample]:
    """example name -> AppliedExample once every example's destroy is done (``.destroy_error`` on failure)."""
    return example_job.destroyed()
