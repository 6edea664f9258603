"""One life cycle for every front end: emulator → work copy → Terraform → state read → data plane → down.

A ``Session`` owns one state directory: at most one emulator (or real AWS) and any number of stacks, each a
Terraform configuration applied from its own work copy, with an optional data plane. The CLI keeps one stack,
the lab one, the pytest plugin and the test suite several at once (applied in parallel threads).

Crash safety: every step writes what it is about to create into ``session.json`` (atomically) *before* it
creates it — the emulator's PID right after the process exists and before it is ready, the work copy's path
before the copy, the data plane's run dir before a namespace exists, the phase before Terraform runs. Any
failure, Ctrl-C or killed process therefore leaves a record from which ``down()`` removes everything: it
destroys what Terraform can destroy, tears down the data plane and stops the emulator whatever else failed,
and says what it could not remove.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import shutil
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from alblab import accounts, consoles, records, recovery
from alblab.aws_env import DEFAULT_KEY
from alblab.emulator import Emulator, is_running, stop_running
from alblab.errors import AlblabError, StateError, UsageError
from alblab.model import Stack
from alblab.providers import MAX_SOCK_DIR, REATTACH_ENV, SharedProvider, provider_binary
from alblab.providers import is_running as is_provider_running
from alblab.providers import stop_running as stop_provider_pid
from alblab.sources import check_var_files, example_name, resolve_source
from alblab.state import AwsClients, aws_clients, read_stack
from alblab.terraform import TerraformError, TerraformRunner
from alblab.terraform import running_pid as running_terraform
from alblab.terraform import stop_running as stop_terraform_in
from alblab.tfstate import (
    LoadBalancerRef,
    choose,
    load_balancers,
    outputs_in_state_file,
    resources_in_state_file,
    tainted_load_balancers,
)
from alblab.workspace import Workspace

if TYPE_CHECKING:
    from alblab.dataplane import DataPlane

SESSION_FILE = "session.json"
VERSION = 1
AWS_MODES = ("emulator", "real")
# Short aliases keep "<prefix>-<alias>" ≤ 14 chars, so "<name>-<target group key>" fits AWS's 32-char limit.
ALIASES = {
    "basic": "basic",
    "complete": "cmpl",
    "hardening": "hard",
    "https": "https",
    "multi-app": "multi",
    "path-routing": "path",
}
MAX_NAME = 14
PLAN_FILE = "alblab.tfplan"
PROVIDER_DIR_DIGITS = 6  # a stack's provider lives in p/<its account's last digits>
EARLIER_TERRAFORM_WAIT_S = 300.0  # how long a command waits for the Terraform an interrupted one left
T = TypeVar("T")
PLAN_JSON = "alblab-plan.json"

Progress = Callable[[str], None]


def unique_name(prefix: str, source_name: str) -> str:
    alias = ALIASES.get(source_name) or "".join(c for c in source_name.lower() if c.isalnum())[:6] or "cfg"
    name = f"{prefix}-{alias}"
    if len(name) > MAX_NAME:
        raise UsageError(f"name {name!r} is longer than {MAX_NAME} characters; use a shorter prefix")
    return name


def new_prefix(letter: str = "t") -> str:
    return f"{letter}{secrets.token_hex(2)}"


@dataclass
class StackRecord:
    """What one stack is and how far it got; persisted in session.json."""

    key: str
    source: str
    name: str
    workdir: str
    variables: dict[str, Any] = field(default_factory=dict)
    var_files: list[str] = field(default_factory=list)
    lb_choice: str = ""  # the user's --lb (address, name or ARN); "" = the only one
    # new → applying → applied | failed; destroying → destroyed
    phase: str = "new"
    error: str = ""
    lb: dict[str, str] = field(default_factory=dict)  # the chosen LoadBalancerRef
    plane_dir: str = ""  # recorded before the data plane creates anything
    # The emulator: the key of the stack's own emulated account (alblab.accounts); "" = moto's default one.
    access_key: str = ""
    # Its own shared aws provider (one provider serves one account's keys), recorded before it is ready.
    provider_pid: int = 0
    provider_reattach: str = ""


@dataclass
class SessionRecord:
    aws: str = "emulator"
    emulator_pid: int = 0
    emulator_port: int = 0
    provider_pid: int = 0  # a shared aws provider (see alblab.providers), recorded before it is ready
    provider_reattach: str = ""  # how a later command (another process) attaches to it
    stacks: dict[str, StackRecord] = field(default_factory=dict)
    version: int = VERSION

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> SessionRecord:
        if data.get("version") != VERSION:
            raise records.DamagedRecord(
                f"session.json has version {data.get('version')}, this alblab writes {VERSION}: "
                f"{records.DOWN_WITHOUT_RECORD}"
            )
        stacks = {k: StackRecord(**v) for k, v in data.get("stacks", {}).items()}
        return cls(
            aws=data.get("aws", "emulator"),
            emulator_pid=int(data.get("emulator_pid", 0)),
            emulator_port=int(data.get("emulator_port", 0)),
            provider_pid=int(data.get("provider_pid", 0)),
            provider_reattach=str(data.get("provider_reattach", "")),
            stacks=stacks,
        )


def read_record(path: Path) -> SessionRecord | None:
    """The record in ``path`` (None when there is none); ``records.DamagedRecord`` when it cannot be read."""
    data = records.read_json(path)
    if data is None:
        return None
    try:
        return SessionRecord.from_json(data)
    except (AttributeError, TypeError, ValueError) as exc:  # valid JSON, but not a session record
        raise records.DamagedRecord(
            f"{path} is not a session record ({type(exc).__name__}: {exc}); {records.DOWN_WITHOUT_RECORD}"
        ) from exc


@dataclass
class DownReport:
    """What ``down`` did and what it could not do (``problems`` empty = a clean slate)."""

    done: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    set_aside: str = ""  # where a damaged record was moved, kept for inspection

    @property
    def clean(self) -> bool:
        return not self.problems


class Session:
    """One state directory: an emulator (or real AWS) and the stacks applied against it."""

    def __init__(
        self,
        home: Path,
        aws: str = "emulator",
        progress: Progress | None = None,
        shared_provider: bool = True,
        recover: bool = False,
    ) -> None:
        """``shared_provider``: every Terraform command of a stack attaches to one aws provider of its own
        instead of starting one (seconds of CPU saved per command); it outlives a CLI process and ``down``
        stops it. Only with a local provider mirror and the emulator (all commands then configure it alike).

        ``recover``: a ``session.json`` that cannot be read (``records.DamagedRecord``) does not raise; the
        session starts empty with ``damaged`` saying why, and ``down()`` cleans up by this state directory's
        marks instead of the record. For ``down`` only: anything else must not run over what is lost."""
        if aws not in AWS_MODES:
            raise UsageError(f"aws must be one of {', '.join(AWS_MODES)}, not {aws!r}")
        if aws == "real" and os.environ.get("CI") and os.environ.get("ALBLAB_ALLOW_REAL_IN_CI") != "1":
            raise UsageError("real AWS is refused in CI (CI is set): set ALBLAB_ALLOW_REAL_IN_CI=1 to allow")
        self.home = Path(home).resolve()
        self.progress: Progress = progress or (lambda _message: None)
        self._lock = threading.RLock()
        self._emulator: Emulator | None = None
        self._want_provider = shared_provider and aws == "emulator"
        self._provider: SharedProvider | None = None
        self._stack_providers: dict[str, SharedProvider] = {}
        self._starting: dict[str, threading.Lock] = {}
        records.check_owner(self.home)
        self.damaged = ""  # why session.json could not be read (only with recover=True)
        try:
            self.record = read_record(self.home / SESSION_FILE) or SessionRecord(aws=aws)
        except records.DamagedRecord as exc:
            if not recover:
                raise
            self.damaged, self.record = str(exc), SessionRecord(aws=aws)
        if self.record.aws != aws:
            if self.active:
                raise StateError(
                    f"the session in {self.home} runs against {self.record.aws}, not {aws}: "
                    "run 'alblab down' first"
                )
            self.record.aws = aws

    # --- persistence -----------------------------------------------------------------------------

    def save(self) -> None:
        with self._lock:
            records.ensure_home(self.home)
            records.write_json(self.home / SESSION_FILE, asdict(self.record))

    @property
    def active(self) -> bool:
        """Anything recorded that ``down`` would have to clean."""
        recorded = self.record.emulator_pid or self.record.provider_pid or self.record.stacks
        return bool(recorded) or consoles.read(self.home) is not None

    @contextlib.contextmanager
    def exclusive(self, what: str) -> Iterator[None]:
        """Hold the state directory's lock (one mutating command at a time, across processes)."""
        records.ensure_home(self.home)
        with records.locked(self.home, what):
            yield

    # --- the emulator ----------------------------------------------------------------------------

    @property
    def real_aws(self) -> bool:
        return self.record.aws == "real"

    @property
    def endpoint(self) -> str | None:
        if self.real_aws or not self.record.emulator_port:
            return None
        return f"http://127.0.0.1:{self.record.emulator_port}"

    def emulator_alive(self) -> bool:
        return bool(self.record.emulator_pid) and is_running(
            self.record.emulator_pid, self.record.emulator_port
        )

    def require_emulator(self) -> None:
        """For commands that need the running stack: a message when its emulator is gone."""
        if self.real_aws:
            return
        if not self.record.emulator_pid:
            raise StateError("nothing is up: run 'alblab up EXAMPLE_OR_DIR'")
        if not self.emulator_alive():
            raise StateError(
                f"the emulator (pid {self.record.emulator_pid}) is gone, and the AWS state it held with it: "
                "run 'alblab down', then 'alblab up' again"
            )

    def ensure_emulator(self) -> str | None:
        """The endpoint of a running emulator (started when needed); None against real AWS."""
        if self.real_aws:
            return None
        with self._lock:
            if self.emulator_alive():
                return self.endpoint
            if self.record.emulator_pid:
                # Gone (killed, rebooted): whatever the stacks applied went with it.
                self.progress(f"the emulator (pid {self.record.emulator_pid}) is gone; starting a new one")
                self._forget_emulator_state()
            emulator = Emulator(state_dir=self.home / "emulator", env=records.mark(self.home))
            pid = emulator.spawn()
            self.record.emulator_pid, self.record.emulator_port = pid, emulator.port
            self.save()
            self._emulator = emulator
        emulator.wait_ready()
        return self.endpoint

    def _forget_emulator_state(self) -> None:
        """The emulator died: tear down planes and drop Terraform state that described its resources."""
        for handle in self.stacks():
            handle.teardown_plane()
            handle.forget_state()
            handle.stop_provider()  # configured for the emulator that is gone
        self.stop_provider()
        self.record.emulator_pid = self.record.emulator_port = 0
        self.save()

    def stop_emulator(self) -> bool:
        if not self.record.emulator_pid:
            return True
        if self._emulator is not None:
            self._emulator.stop()
            self._emulator = None
        stopped = stop_running(self.record.emulator_pid, self.record.emulator_port)
        if stopped:
            self.record.emulator_pid = self.record.emulator_port = 0
            self.save()
        return stopped

    def clients(self) -> AwsClients:
        """boto3 clients in moto's default account; a stack's resources are in its own account
        (``StackHandle.clients``)."""
        return aws_clients(self.endpoint)

    def terraform_env(self) -> dict[str, str]:
        """What a Terraform command in moto's default account adds to its environment (a stack's own account:
        ``StackHandle.terraform_env``): this state directory's mark and the session's shared provider, when it
        runs one (started on first use, recorded before it is ready; reused by later processes of the session
        while it runs)."""
        mark = records.mark(self.home)
        if not self._want_provider:
            return mark
        with self._lock:
            if self._provider is not None:
                return {**mark, **self._provider.env()}
            if self.record.provider_pid and self.record.provider_reattach:
                if is_provider_running(self.record.provider_pid):
                    return {**mark, REATTACH_ENV: self.record.provider_reattach}
                self.record.provider_pid, self.record.provider_reattach = 0, ""
            binary, sock_dir = provider_binary(), self.home / "p"
            if binary is None or len(str(sock_dir)) > MAX_SOCK_DIR:
                # No local mirror, or a state dir too deep for a socket: each command starts its own provider.
                self._want_provider = False
                return mark
            provider = SharedProvider(
                binary, self.ensure_emulator(), self.home / "provider.log", sock_dir, env=mark
            )
            self.record.provider_pid = provider.spawn()
            self.save()
            self.record.provider_reattach = provider.wait_ready()
            self.save()
            self._provider = provider
            return {**mark, **provider.env()}

    def stack_provider_env(self, record: StackRecord) -> dict[str, str]:
        """The stack's own shared provider (configured with its account's key), started on first use and
        recorded before it is ready; {} when commands start their own. Other stacks' providers start
        meanwhile: the session's lock is not held while this one loads."""
        if not record.access_key:  # real AWS, or a stack recorded before accounts: moto's default account
            return self.terraform_env()
        if not self._want_provider:
            return {}
        with self._lock:
            starting = self._starting.setdefault(record.key, threading.Lock())
        with starting:
            with self._lock:
                running = self._stack_providers.get(record.key)
                if running is not None:
                    return running.env()
                if record.provider_pid:
                    if record.provider_reattach and is_provider_running(record.provider_pid):
                        return {REATTACH_ENV: record.provider_reattach}
                    stop_provider_pid(record.provider_pid)  # gone, or interrupted before it was ready
                    record.provider_pid, record.provider_reattach = 0, ""
                binary, sock_dir = provider_binary(), self._stack_provider_dir(record)
                if binary is None or len(str(sock_dir)) > MAX_SOCK_DIR:
                    return {}
                provider = SharedProvider(
                    binary,
                    self.ensure_emulator(),
                    sock_dir.with_suffix(".log"),
                    sock_dir,
                    access_key=record.access_key,
                    env=records.mark(self.home),
                )
                record.provider_pid = provider.spawn()
                self.save()
            reattach = provider.wait_ready()
            with self._lock:
                record.provider_reattach = reattach
                self.save()
                self._stack_providers[record.key] = provider
            return provider.env()

    def _stack_provider_dir(self, record: StackRecord) -> Path:
        # Short (a socket path holds 107 bytes): the account's last digits, unique in a session (add_stack).
        account = accounts.account_of(record.access_key) or ""
        return self.home / "p" / account[-PROVIDER_DIR_DIGITS:]

    def stop_stack_provider(self, record: StackRecord) -> None:
        with self._lock:
            provider = self._stack_providers.pop(record.key, None)
        if provider is not None:
            provider.stop()
        if record.provider_pid:
            stop_provider_pid(record.provider_pid)
            record.provider_pid, record.provider_reattach = 0, ""
            self.save()
        if record.access_key:
            directory = self._stack_provider_dir(record)
            shutil.rmtree(directory, ignore_errors=True)
            directory.with_suffix(".log").unlink(missing_ok=True)

    def stop_provider(self) -> None:
        if self._provider is not None:
            self._provider.stop()
            self._provider = None
        if self.record.provider_pid:
            stop_provider_pid(self.record.provider_pid)
            self.record.provider_pid, self.record.provider_reattach = 0, ""
            self.save()
        shutil.rmtree(self.home / "p", ignore_errors=True)

    # --- stacks ----------------------------------------------------------------------------------

    def stacks(self) -> list[StackHandle]:
        return [StackHandle(self, record) for record in self.record.stacks.values()]

    def stack(self, key: str) -> StackHandle:
        record = self.record.stacks.get(key)
        if record is None:
            raise StateError(f"no stack {key!r} in {self.home}")
        return StackHandle(self, record)

    def add_stack(
        self,
        key: str,
        source: str | Path,
        *,
        variables: dict[str, Any] | None = None,
        var_files: list[str] | tuple[str, ...] = (),
        lb: str = "",
        name: str | None = None,
        prefix: str | None = None,
    ) -> StackHandle:
        """Record a stack to apply (validated; nothing starts), named ``name`` or uniquely from ``prefix``."""
        src = resolve_source(source)
        files = check_var_files(var_files)
        label = example_name(src) or src.name
        stack_name = name or unique_name(prefix or new_prefix(), label)
        record = StackRecord(
            key=key,
            source=str(src),
            name=stack_name,
            workdir=str(self.home / "work" / stack_name),
            variables=dict(variables or {}),
            var_files=[str(f) for f in files],
            lb_choice=lb,
        )
        with self._lock:
            if key in self.record.stacks:
                raise StateError(f"stack {key!r} already exists in {self.home}")
            if not self.real_aws:
                # Its own emulated account: configurations with fixed names never meet another stack's.
                taken = {accounts.account_of(r.access_key) or "" for r in self.record.stacks.values()}
                account = accounts.new_account(taken)
                while account[-PROVIDER_DIR_DIGITS:] in {a[-PROVIDER_DIR_DIGITS:] for a in taken}:
                    account = accounts.new_account(taken)
                record.access_key = accounts.key_for(account)
            self.record.stacks[key] = record
            self.save()
        return StackHandle(self, record)

    def drop_stack(self, key: str) -> None:
        with self._lock:
            self.record.stacks.pop(key, None)
            self.save()

    # --- the way back ----------------------------------------------------------------------------

    def interrupt(self, timeout: float = 60.0) -> list[str]:
        """Ask each Terraform still running for this session to stop (Ctrl-C); returns those still running."""
        still = []
        for handle in self.stacks():
            if not handle.stop_terraform(timeout):
                still.append(handle.record.workdir)
        return still

    def leftovers(self) -> list[str]:
        """What is up right now, in words (for the message after a Ctrl-C or a failure)."""
        lines = []
        if self.record.emulator_pid and self.emulator_alive():
            lines.append(f"the AWS emulator (pid {self.record.emulator_pid}, {self.endpoint})")
        console = consoles.running(self.home)
        if console is not None:
            lines.append(f"the web console (pid {console.pid}, port {console.port})")
        for handle in self.stacks():
            lines.extend(handle.leftovers())
        return lines

    def unrecorded(self) -> bool:
        """Anything of this state directory that no record names: work copies, planes, a console's files,
        marked processes."""
        places = (self.home / "work", self.home / "planes", consoles.directory(self.home))
        dirs = any(place.exists() for place in places)
        return dirs or bool(recovery.marked(self.home)) or recovery.plane_marked(self.home)

    def down(self, destroy: bool = True) -> DownReport:
        """Everything back to a clean slate, whatever state it is in. Never raises for what it cannot remove:
        it goes on and reports it."""
        report = DownReport()
        if self.damaged:
            self._set_aside_damaged(report)
        # First: the console reads the stack and drives its data plane.
        done, problems = consoles.stop(self.home)
        report.done += done
        report.problems += problems
        for handle in self.stacks():
            handle.down(report, destroy=destroy)
        for handle in self.stacks():  # what down could not remove keeps its record, not its provider
            handle.stop_provider()
        self.stop_provider()
        if self.record.emulator_pid:
            pid = self.record.emulator_pid
            if self.stop_emulator():
                report.done.append(f"emulator (pid {pid}) stopped")
            else:
                report.problems.append(f"the emulator (pid {pid}) did not stop")
        # Whatever carries this state directory's mark and no record named (the record lost or damaged, a
        # process started but not yet recorded when its parent was killed).
        recovery.sweep(self.home, report.done, report.problems)
        self._remove_strays(report)
        if report.clean:
            with contextlib.suppress(FileNotFoundError):
                (self.home / SESSION_FILE).unlink()
            for extra in ("emulator", "work", "planes"):
                shutil.rmtree(self.home / extra, ignore_errors=True)
            (self.home / "provider.log").unlink(missing_ok=True)
        return report

    def _set_aside_damaged(self, report: DownReport) -> None:
        try:
            kept = records.set_aside(self.home / SESSION_FILE)
        except FileNotFoundError:
            return
        report.set_aside = str(kept)
        report.done.append(
            f"{SESSION_FILE} could not be read: cleaning up by this state directory's marks instead (its "
            f"processes, namespaces and work copies); the damaged file is kept as {kept}"
        )

    def _remove_strays(self, report: DownReport) -> None:
        """Work copies and plane dirs no record names (left by an older alblab or a lost record)."""
        known = {Path(r.workdir) for r in self.record.stacks.values()}
        known |= {Path(r.plane_dir) for r in self.record.stacks.values() if r.plane_dir}
        for parent in (self.home / "work", self.home / "planes"):
            if not parent.is_dir():
                continue
            for child in parent.iterdir():
                if child in known or not child.is_dir():
                    continue
                keep = recovery.keep_work_copy(child) if parent.name == "work" else ""
                if keep:
                    report.problems.append(keep)
                    continue
                if parent.name == "planes" and records.unreadable(child / "plane.json"):
                    report.done.append(
                        f"{child}/plane.json could not be read either: its data plane was looked for by this "
                        "state directory's marks instead"
                    )
                elif parent.name == "planes":
                    teardown_plane_dir(child, report)
                shutil.rmtree(child, ignore_errors=True)
                report.done.append(f"removed stale {child}")


def teardown_plane_dir(run_dir: Path, report: DownReport) -> None:
    from alblab.dataplane import teardown_saved

    try:
        prefix = teardown_saved(run_dir)
    except Exception as exc:  # any failure is reported; down goes on with the rest
        report.problems.append(f"data plane in {run_dir}: {exc}")
        return
    if prefix:
        report.done.append(f"data plane {prefix} removed")


class StackHandle:
    """One configuration of a session: its work copy, its Terraform, its ALB and its data plane."""

    def __init__(self, session: Session, record: StackRecord) -> None:
        self.session = session
        self.record = record
        self.times: dict[str, float] = {}
        self._workspace: Workspace | None = None

    @property
    def key(self) -> str:
        return self.record.key

    @property
    def name(self) -> str:
        return self.record.name

    @property
    def workdir(self) -> Path:
        return Path(self.record.workdir)

    @property
    def source(self) -> Path:
        return Path(self.record.source)

    @property
    def access_key(self) -> str:
        """The key this stack signs its emulator requests with; it names the stack's emulated account."""
        return self.record.access_key or DEFAULT_KEY

    @property
    def account(self) -> str:
        """The stack's emulated AWS account ("" against real AWS: your credentials decide)."""
        if self.session.real_aws:
            return ""
        return accounts.account_of(self.access_key) or accounts.DEFAULT_ACCOUNT

    def terraform_env(self) -> dict[str, str]:
        """What every Terraform command of this stack adds to its environment: the state directory's mark
        and, on the emulator, the stack's own shared provider."""
        return {**records.mark(self.session.home), **self.session.stack_provider_env(self.record)}

    def stop_provider(self) -> None:
        self.session.stop_stack_provider(self.record)

    def _set(self, **changes: Any) -> None:
        for key, value in changes.items():
            setattr(self.record, key, value)
        self.session.save()

    @contextlib.contextmanager
    def phase(self, label: str) -> Iterator[None]:
        start = time.monotonic()
        try:
            yield
        finally:
            self.times[label] = round(time.monotonic() - start, 1)

    # --- Terraform -------------------------------------------------------------------------------

    @property
    def workspace(self) -> Workspace:
        """The work copy as it is (``prepare()`` makes a fresh one)."""
        if self._workspace is None:
            if not self.workdir.is_dir():  # nothing was prepared (the emulator did not start, say)
                raise StateError(
                    f"stack {self.key!r} has no work copy ({self.workdir}): nothing ran there yet"
                )
            self._workspace = Workspace.existing(
                self.workdir,
                self.source,
                self.session.endpoint,
                env=self.terraform_env(),
                variables=self.record.variables,
                var_files=[Path(f) for f in self.record.var_files],
                access_key=self.access_key,
            )
        return self._workspace

    def prepare(self, extra_vars: dict[str, Any] | None = None) -> Workspace:
        """A fresh copy of the source (keeping the state and keys of the last one), pointed at the session."""
        self.wait_for_earlier_terraform()
        endpoint = self.session.ensure_emulator()
        self._workspace = Workspace.prepare(
            self.source,
            self.name,
            self.workdir.parent,
            endpoint,
            extra_vars=extra_vars,
            env=self.terraform_env(),
            variables=self.record.variables,
            var_files=[Path(f) for f in self.record.var_files],
            keep_state=True,
            access_key=self.access_key,
        )
        return self._workspace

    def wait_for_earlier_terraform(self, timeout: float = EARLIER_TERRAFORM_WAIT_S) -> None:
        """A Terraform an interrupted command asked to stop may still be saving its state (a busy machine, a
        resource it waits for): wait for it, never signal it again (a second Ctrl-C loses state), and never
        read or copy its state while it writes."""
        pid = running_terraform(self.workdir)
        if pid is None:
            return
        self.session.progress(f"waiting for terraform (pid {pid}) of an interrupted command to stop")
        deadline = time.monotonic() + timeout
        while running_terraform(self.workdir) is not None:
            if time.monotonic() > deadline:
                raise StateError(
                    f"terraform (pid {pid}) of an earlier command still runs in {self.workdir}: wait for it "
                    "to stop, or run 'alblab down'"
                )
            time.sleep(0.5)

    @contextlib.contextmanager
    def _step(self, phase: str) -> Iterator[None]:
        """Record ``phase`` while the step runs; on any failure (Ctrl-C included) record it as failed."""
        self._set(phase=phase, error="")
        try:
            yield
        except BaseException as exc:
            self._set(phase="failed", error=_first_line(exc))
            raise

    def _init(
        self, extra_vars: dict[str, Any] | None, say: Progress, after_interrupt: bool = False
    ) -> Workspace:
        with self.phase("prepare"):
            ws = self.prepare(extra_vars)
        with self.phase("init"):
            say("terraform init")
            if not ws.runner.init():
                say("terraform init: nothing it reads changed since the last one here, not run again")
        if after_interrupt:
            self._keep_albs_being_created(ws.runner, say)
        return ws

    def _interrupted(self) -> bool:
        """The last step of this stack was stopped by a Ctrl-C (recorded by ``_step``)."""
        return self.record.phase == "failed" and self.record.error == _first_line(KeyboardInterrupt())

    def _keep_albs_being_created(self, runner: TerraformRunner, say: Progress) -> None:
        """An apply stopped while Terraform waited for a new ALB to become active leaves it tainted, though
        AWS goes on creating it. The next apply would replace it create-before-destroy (which the ALB inherits
        from the resources that need it) under the same name: AWS's CreateLoadBalancer hands back the same
        ALB and Terraform then deletes it as the old one; the emulator refuses the name. An ALB the API still
        has, provisioning or active, is the one that apply made: it is untainted and kept, as
        ``terraform untaint`` would."""
        from botocore.exceptions import ClientError

        tainted = tainted_load_balancers(self.resources())
        elbv2 = self.clients().elbv2 if tainted else None  # boto3 clients only when there is one to look up
        for address, arn in tainted:
            assert elbv2 is not None
            try:
                (found,) = elbv2.describe_load_balancers(LoadBalancerArns=[arn])["LoadBalancers"]
            except (ClientError, ValueError):
                continue  # gone, or not readable: Terraform replaces it as it would anyway
            state = found.get("State", {}).get("Code", "")
            if state in ("provisioning", "active"):
                runner.untaint(address)
                say(f"{address}: tainted by the interrupted apply, AWS has it ({state}): kept, untainted")

    def plan(
        self, extra_vars: dict[str, Any] | None = None, progress: Progress | None = None
    ) -> list[dict[str, Any]]:
        """prepare → init → plan -out (kept for ``apply_plan`` and ``plan_json``); returns the planned changes
        (``resource_changes`` entries). Raises on failure, with the phase recorded."""
        say = progress or self.session.progress
        after_interrupt = self._interrupted()
        with self._step("planning"):
            ws = self._init(extra_vars, say, after_interrupt)
            with self.phase("plan"):
                say("terraform plan")
                (ws.dir / PLAN_JSON).unlink(missing_ok=True)
                changes = ws.runner.plan(out=ws.dir / PLAN_FILE)
        self._set(phase="planned")
        return changes

    def apply_plan(self, progress: Progress | None = None, require_lb: bool = True) -> None:
        """Apply the plan ``plan()`` saved, then find the ALB. ``require_lb=False``: a configuration without
        an ALB (yet) is no error."""
        say = progress or self.session.progress
        with self._step("applying"), self.phase("apply"):
            say("terraform apply")
            self.workspace.runner.apply(planfile=self.workdir / PLAN_FILE)
        self._after_apply(require_lb)

    def apply(
        self,
        extra_vars: dict[str, Any] | None = None,
        progress: Progress | None = None,
        require_lb: bool = True,
        saved_plan: bool = False,
    ) -> None:
        """prepare → init → apply → find the ALB. With ``saved_plan``, through ``plan()`` + ``apply_plan()``
        (one Terraform command more, and ``plan_json()`` afterwards); without, one ``apply`` plans and applies
        (and ``plan_json()`` is unavailable). Raises on failure, with the phase recorded."""
        if saved_plan:
            self.plan(extra_vars, progress)
            self.apply_plan(progress, require_lb)
            return
        say = progress or self.session.progress
        self._apply_fresh(extra_vars, say, "apply", "terraform apply", lambda runner: runner.apply())
        self._after_apply(require_lb)

    def _apply_fresh(
        self,
        extra_vars: dict[str, Any] | None,
        say: Progress,
        label: str,
        message: str,
        run: Callable[[TerraformRunner], T],
    ) -> T:
        """prepare → init → ``run`` (an apply without a saved plan; the plan files of an earlier one go)."""
        after_interrupt = self._interrupted()
        with self._step("applying"):
            ws = self._init(extra_vars, say, after_interrupt)
            with self.phase(label):
                say(message)
                (ws.dir / PLAN_FILE).unlink(missing_ok=True)
                (ws.dir / PLAN_JSON).unlink(missing_ok=True)
                return run(ws.runner)

    def apply_over(
        self,
        source: str | Path | None = None,
        variables: dict[str, Any] | None = None,
        progress: Progress | None = None,
    ) -> list[dict[str, Any]]:
        """Apply another configuration (``source``) and/or other ``variables`` (merged over the stack's) over
        this stack's Terraform state: the upgrade path a change takes. The work copy is made afresh, keeping
        the state, the generated keys and the providers. Returns ``apply -json``'s events; a failure raises
        ``TerraformError`` with the events, the phase recorded as for any apply."""
        say = progress or self.session.progress
        changes: dict[str, Any] = {}
        if source is not None:
            changes["source"] = str(resolve_source(source))
        if variables is not None:
            changes["variables"] = {**self.record.variables, **variables}
        if changes:
            self._set(**changes)
            self._workspace = None
        events = self._apply_fresh(
            None,
            say,
            "apply_change",
            "terraform apply (the change, over the same state)",
            lambda runner: runner.apply_events(),
        )
        self._after_apply(require_lb=True)
        return events

    def _after_apply(self, require_lb: bool) -> None:
        self._set(phase="applied")
        if require_lb or self.load_balancers():
            self.select_lb()
        else:
            self._set(lb={})

    def plan_json(self) -> dict[str, Any]:
        """The saved plan as ``terraform show -json`` gives it (made on first request, then kept)."""
        cached, planfile = self.workdir / PLAN_JSON, self.workdir / PLAN_FILE
        if not cached.is_file():
            if not planfile.is_file():
                raise StateError(f"stack {self.key!r} has no saved plan (apply it with a saved plan)")
            records.write_json(cached, self.workspace.runner.show_json(planfile))  # whole or not at all
        result: dict[str, Any] = json.loads(cached.read_text())
        return result

    def outputs(self) -> dict[str, Any]:
        """The root module's outputs, from the state file (``terraform output`` would say the same)."""
        return outputs_in_state_file(self.workdir / "terraform.tfstate")

    def state_json(self) -> dict[str, Any]:
        return self.workspace.runner.state_json()

    def replan_exitcode(self) -> int:
        """0: the second plan is clean; 2: it would change something."""
        with self.phase("second_plan"):
            return self.workspace.runner.plan_exitcode()

    def plan_changes(self) -> list[str]:
        return self.workspace.runner.plan_changes()

    def destroy(self, refresh: bool = True, on_event: Callable[[dict[str, Any]], None] | None = None) -> None:
        """``refresh`` and ``on_event``: see ``TerraformRunner.destroy``."""
        self._set(phase="destroying")
        with self.phase("destroy"):
            self.workspace.runner.destroy(refresh, on_event)
        self._set(phase="destroyed", lb={})

    def has_state(self) -> bool:
        try:
            return bool(self.resources())
        except (StateError, OSError):  # tfstate's message for a torn state file
            return True  # unreadable: let terraform decide

    def forget_state(self) -> None:
        """Drop the state of resources that no longer exist anywhere (their emulator is gone)."""
        for name in ("terraform.tfstate", "terraform.tfstate.backup"):
            with contextlib.suppress(FileNotFoundError):
                (self.workdir / name).unlink()
        self._set(phase="new", lb={})

    def stop_terraform(self, timeout: float = 60.0) -> bool:
        return stop_terraform_in(self.workdir, timeout)

    # --- the ALB ---------------------------------------------------------------------------------

    def resources(self) -> list[dict[str, Any]]:
        """What the state holds now: ``{address, type, values}`` per managed resource instance."""
        return resources_in_state_file(self.workdir / "terraform.tfstate")

    def load_balancers(self) -> list[LoadBalancerRef]:
        return load_balancers(self.resources())

    def select_lb(self, choice: str | None = None) -> LoadBalancerRef:
        """The ALB this stack is about: ``choice`` (address, name or ARN), the recorded one, or the only."""
        ref = choose(self.load_balancers(), choice or self.record.lb_choice or None)
        self._set(lb=ref.as_dict(), lb_choice=choice or self.record.lb_choice)
        return ref

    @property
    def lb(self) -> LoadBalancerRef:
        if not self.record.lb:
            return self.select_lb()
        return LoadBalancerRef(**self.record.lb)

    def clients(self) -> AwsClients:
        """boto3 clients in the stack's account."""
        return aws_clients(self.session.endpoint, access_key=self.access_key)

    def read(self) -> Stack:
        """The stack around the ALB, read afresh from the AWS API."""
        return read_stack(self.clients(), arn=self.lb.arn)

    # --- the data plane --------------------------------------------------------------------------

    @property
    def plane_dir(self) -> Path:
        return (
            Path(self.record.plane_dir) if self.record.plane_dir else self.session.home / "planes" / self.name
        )

    def plane(
        self, stack: Stack | None = None, progress: Progress | None = None, prefix: str | None = None
    ) -> DataPlane:
        """The stack's data plane: the running one (repaired when a part died), else a new one (its
        namespaces named ``prefix-*`` when given: a front end that must find its own, like the lab's test)."""
        from alblab.dataplane import DataPlane, availability

        problem = availability()
        if problem:
            raise StateError(problem)
        stack = stack or self.read()
        run_dir = self.plane_dir
        if (run_dir / "plane.json").is_file():
            # attach() restarts what died (a node, a backend, a namespace) and says so through progress.
            return DataPlane.attach(stack, run_dir, progress=progress)
        self._set(plane_dir=str(run_dir))
        plane = DataPlane(
            stack,
            run_dir,
            key_dir=self.workspace.key_dir,
            prefix=prefix,
            progress=progress,
            owner=str(self.session.home),  # found by down even when plane.json and session.json are lost
        )
        return plane.up(persist=True)

    def has_plane(self) -> bool:
        return bool(self.record.plane_dir) and (Path(self.record.plane_dir) / "plane.json").is_file()

    def teardown_plane(self, report: DownReport | None = None) -> None:
        if not self.record.plane_dir:
            return
        report = report if report is not None else DownReport()
        teardown_plane_dir(Path(self.record.plane_dir), report)
        if not any(self.record.plane_dir in p for p in report.problems):
            shutil.rmtree(self.record.plane_dir, ignore_errors=True)
            self._set(plane_dir="")

    # --- the way back ----------------------------------------------------------------------------

    def leftovers(self) -> list[str]:
        lines = []
        if self.record.plane_dir:
            lines.append(f"the data plane of {self.name} ({self.record.plane_dir})")
        if self.workdir.is_dir():
            count = 0
            with contextlib.suppress(OSError, StateError):
                count = len(self.resources())
            held = f", its Terraform state holds {count} resources" if count else ""
            lines.append(f"the work copy of {self.name} ({self.workdir}{held})")
        return lines

    def down(self, report: DownReport, destroy: bool = True) -> None:
        """Tear this stack down as far as possible; what fails is reported, the rest still happens."""
        if not self.stop_terraform(timeout=60):
            report.problems.append(f"terraform is still running in {self.workdir}")
            return
        self.teardown_plane(report)
        destroyable = self.workdir.is_dir() and self.has_state()
        if destroy and destroyable and (self.session.real_aws or self.session.emulator_alive()):
            try:
                self.destroy()
                report.done.append(f"{self.name}: terraform destroy done")
            except TerraformError as exc:
                if self.session.real_aws:
                    report.problems.append(
                        f"{self.name}: terraform destroy failed; resources may remain in your AWS account. "
                        f"The work copy with its state stays in {self.workdir}: fix the cause and run "
                        f"'alblab down' again. Terraform said: {_last_line(exc)}"
                    )
                    return
                report.done.append(
                    f"{self.name}: terraform destroy failed ({_first_line(exc)}); the emulator is stopped "
                    "next, which discards everything it held"
                )
        elif self.session.real_aws and destroyable and not destroy:
            report.problems.append(f"{self.name}: left in your AWS account (state in {self.workdir})")
            return
        self.stop_provider()
        shutil.rmtree(self.workdir, ignore_errors=True)
        self.session.drop_stack(self.key)


def _last_line(exc: TerraformError) -> str:
    lines = [line for line in exc.detail.splitlines() if line.strip()]
    return lines[-1].strip() if lines else str(exc)


def _first_line(exc: BaseException) -> str:
    if isinstance(exc, KeyboardInterrupt):
        return "interrupted"
    text = str(exc.args[0] if isinstance(exc, AlblabError) and exc.args else exc).strip().rstrip(":")
    return text.splitlines()[0] if text else type(exc).__name__
