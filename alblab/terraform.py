"""The ONE place that imports python_terraform, with the workarounds Terraform 1.x needs.

python-terraform 0.10.1 (the package the user asked for) predates Terraform 1.x. Measured breakages
and what this adapter does about each:
- ``apply()`` without ``skip_plan=True`` waits for an approval prompt that never comes ("EOF"):
  apply always runs with ``skip_plan=True`` (``-auto-approve``), which is also how a saved plan is applied.
- ``destroy()`` passes ``-force`` (removed in 0.15): call it with ``force=None, auto_approve=True``.
- ``output(name)`` raises on the 1.x JSON: read ``output()`` whole and take ``[name]["value"]``.
- ``plan()`` adds ``-detailed-exitcode`` by default (rc 2 = changes): pass ``detailed_exitcode=None``
  unless the exit code is the point.
- Variables given to its constructor, even none, go to a temporary var file outside the working directory on
  every command (leaked when the command is interrupted), and a saved plan rejects ``-var``: the adapter
  passes ``var=None`` always and hands variables over as var files of its own (``TerraformRunner``).
- There is no per-call environment (it copies ``os.environ``); threads would race on it. Each runner
  therefore gets a small launcher script as ``terraform_bin_path`` that sets its environment.
- ``cmd(synchronous=False)`` (to read a command's output while it runs) passes ``-synchronous=false`` to
  Terraform: a command whose events are read as they come (``destroy``) is built with ``generate_cmd_string``
  and run by the adapter itself.
- Its constructor and every successful command parse ``terraform.tfstate`` with ``json.load``, which raises
  ``JSONDecodeError`` on the empty file Terraform creates to lock it (left so by an apply interrupted early)
  or on a torn one: the adapter's ``Terraform`` never reads the state (nothing here uses that copy);
  ``alblab.tfstate`` reads it with a clear message, and Terraform itself judges it when it runs.
``tests/test_terraform_adapter.py`` pins these behaviours, so a new python-terraform fails loudly there.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import re
import shlex
import shutil
import signal
import subprocess
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar

from python_terraform import IsFlagged, Terraform

from alblab import initstamp, niceness, pids
from alblab.errors import AlblabError
from alblab.trace import trace_path


class TerraformError(AlblabError):
    def __init__(self, command: str, rc: int, stderr: str) -> None:
        super().__init__(f"terraform {command} failed (exit {rc})", detail=_diagnostics(stderr))
        self.command = command
        self.rc = rc
        self.stderr = stderr
        self.events: list[dict[str, Any]] = []  # apply -json's events, when the command ran with -json

    def __str__(self) -> str:
        # Kept whole in str(): tests and logs that print the exception see Terraform's own words.
        return f"{self.args[0]}:\n{self.detail}" if self.detail else str(self.args[0])

    def failures(self) -> list[str]:
        """One line per resource the apply could not create or change: where it is declared and the
        error AWS (or the emulator, in AWS's words) answered, e.g.
        ``aws_lb.web (main.tf line 12): ValidationError: At least two subnets ...``."""
        return resource_failures(self.stderr)


# A plan's JSON event "action" → show -json's "actions" list.
_ACTIONS = {
    "create": ["create"],
    "update": ["update"],
    "delete": ["delete"],
    "replace": ["delete", "create"],
    "read": ["read"],
    "noop": ["no-op"],
}


def _planned_change(event: dict[str, Any]) -> dict[str, Any] | None:
    if event.get("type") != "planned_change":
        return None
    change = event.get("change", {})
    resource = change.get("resource", {})
    return {
        "address": resource.get("addr"),
        "mode": "data"
        if str(resource.get("addr", "")).startswith("data.") or ".data." in resource.get("addr", "")
        else "managed",
        "type": resource.get("resource_type"),
        "change": {"actions": _ACTIONS.get(change.get("action", ""), [change.get("action", "")])},
    }


def _event_diagnostics(events: list[dict[str, Any]]) -> str:
    """Terraform's errors from JSON events, as its human output prints them (summary, the resource and where
    it is declared, detail): ``resource_failures`` reads either."""
    lines = []
    for event in events:
        d = event.get("diagnostic") if event.get("type") == "diagnostic" else None
        if d and d.get("severity") == "error":
            where = d.get("range", {})
            resource = f"\n  with {d['address']}," if d.get("address") else ""
            place = (
                f"\n  on {where['filename']} line {where['start']['line']}" if where.get("filename") else ""
            )
            lines.append(
                f"Error: {d.get('summary', '')}\n{resource}{place}\n\n{d.get('detail', '')}".rstrip()
            )
    return "\n\n".join(lines)


def _diagnostics(text: str) -> str:
    """Terraform's error text without colour codes and blank padding, at most the last 4000 characters."""
    return re.sub(r"\x1b\[[0-9;]*m", "", text).strip()[-4000:]


_WITH = re.compile(r"^with (\S+?),$")
_ON = re.compile(r"^on (\S+) line (\d+)")
_SNIPPET = re.compile(r"^\d+: ")
_API_ERROR = re.compile(r"api error (\S+?): (.*)$")


def resource_failures(stderr: str) -> list[str]:
    """Terraform's error diagnostics that name a resource, one line each (see ``TerraformError.failures``).

    Terraform prints the SDK's error either on the ``Error:`` line or, wrapped, after the ``with``/``on``
    lines; both are read. A diagnostic without an ``api error`` keeps Terraform's own summary."""
    lines = []
    for block in re.split(r"^Error: ", _diagnostics_text(stderr), flags=re.MULTILINE)[1:]:
        address = where = ""
        words = []
        for raw in block.splitlines():
            line = raw.strip()
            if (m := _WITH.match(line)) is not None:
                address = m.group(1)
            elif (m := _ON.match(line)) is not None:
                where = f" ({m.group(1)} line {m.group(2)})"
            elif line and not _SNIPPET.match(line):
                words.append(line)
        if not address:
            continue
        text = " ".join(words)
        api = _API_ERROR.search(text)
        lines.append(f"{address}{where}: " + (f"{api.group(1)}: {api.group(2)}" if api else text))
    return lines


def _diagnostics_text(text: str) -> str:
    """Terraform's error text without colours and the box drawn around each diagnostic."""
    plain = re.sub(r"\x1b\[[0-9;]*m", "", text)
    return re.sub(r"^[│╷╵]\s?", "", plain, flags=re.MULTILINE)


PID_FILE = ".alblab-terraform.pid"


def _terraform_binary() -> str:
    return shutil.which("terraform") or "terraform"


def _write_launcher(workdir: Path, env: dict[str, str]) -> Path:
    terraform = _terraform_binary()
    exports = "".join(f"export {k}={shlex.quote(v)}\n" for k, v in sorted(env.items()))
    launcher = workdir / ".alblab-terraform"
    # The PID file lets a caller interrupted by Ctrl-C stop this Terraform gracefully (one SIGINT) and wait
    # for it to save its state. setsid keeps the terminal's Ctrl-C from reaching Terraform directly: a second
    # SIGINT makes Terraform exit at once and may lose state, so exactly one is sent, by ``stop()``. The new
    # session takes the launcher's nice (alblab.niceness).
    # ALBLAB_TF_LOG (set by benchmarks/suite.py) collects one line per command, to count them by kind.
    log = '[ -n "$ALBLAB_TF_LOG" ] && echo "$1 $$" >> "$ALBLAB_TF_LOG"\n'
    # init installs the provider and writes the lock file: never through a shared (reattached) provider.
    init = '[ "$1" = init ] && unset TF_REATTACH_PROVIDERS\n'
    launcher.write_text(
        f"#!/bin/sh\n{exports}echo $$ > {PID_FILE}\n{log}{init}"
        + niceness.launcher_exec(shlex.quote(_SETSID), shlex.quote(terraform))
    )
    launcher.chmod(0o755)
    return launcher


_SETSID = shutil.which("setsid") or "setsid"


T = TypeVar("T")
# How long a start of the launcher is retried while it is "text file busy" (see ``_start``).
BUSY_RETRY_S = 10.0


def _start(run: Callable[[], T]) -> T:
    """``run()``, retried while exec of the launcher fails with ETXTBSY. The launcher was just written: a
    process another thread forks in that moment holds the file open for writing until it execs its own
    program, and Linux refuses to execute a file open for writing. Nothing has run when exec fails."""
    deadline = time.monotonic() + BUSY_RETRY_S
    while True:
        try:
            return run()
        except OSError as exc:
            if exc.errno != errno.ETXTBSY or time.monotonic() > deadline:
                raise
            time.sleep(0.05)


class _Terraform(Terraform):
    """python-terraform that never parses the state file (see the module's docstring) and starts its
    launcher through ``_start``."""

    def read_state_file(self, file_path: str | None = None) -> None:
        self.tfstate = None

    def cmd(self, cmd: str, *args: Any, **kwargs: Any) -> Any:
        return _start(lambda: super(_Terraform, self).cmd(cmd, *args, **kwargs))


def events_path(workdir: Path, command: str) -> Path:
    """Where a running ``apply`` or ``destroy`` in ``workdir`` writes its ``-json`` events (``_stream``)."""
    return Path(workdir) / f".alblab-{command}.out.jsonl"


def running_pid(workdir: Path) -> int | None:
    """The PID of a Terraform still running in ``workdir`` (ours: started through the launcher)."""
    try:
        pid = int((Path(workdir) / PID_FILE).read_text().strip())
    except (FileNotFoundError, ValueError):
        return None
    argv = pids.cmdline(pid)
    if not pids.alive(pid) or not argv or not argv[0].endswith(b"terraform"):
        return None
    # PIDs come round again (32768 of them by default): the PID file of a Terraform that ended long ago can
    # name another stack's Terraform now, which a Ctrl-C here must not stop.
    if pids.cwd(pid) != str(Path(workdir).resolve()):
        return None
    return pid


def stop_running(workdir: Path, timeout: float = 60.0) -> bool:
    """Ask a Terraform running in ``workdir`` to stop (one SIGINT: it saves its state) and wait; True once
    none runs. Needs nothing but the directory: safe in a Ctrl-C handler."""
    pid = running_pid(workdir)
    if pid is None:
        return True
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGINT)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not pids.alive(pid):
            return True
        time.sleep(0.1)
    return False


def _trace(workdir: Path, command: str, events: list[dict[str, Any]]) -> None:
    """Each apply's and destroy's events, when tracing (``alblab.trace``): the per-resource timeline
    benchmarks/check.py computes the provider's waits from."""
    path = trace_path(f"{workdir.name}.{command}", "jsonl")
    if path is not None:
        path.write_text("".join(json.dumps(event) + "\n" for event in events))


def _trace_state(workdir: Path) -> None:
    """The state before a destroy (its resources' dependencies order the destroy), when tracing."""
    path, state = trace_path(f"{workdir.name}.state", "json"), workdir / "terraform.tfstate"
    if path is not None and state.is_file():
        shutil.copyfile(state, path)


class TerraformRunner:
    """Terraform commands on one working directory; every failure raises ``TerraformError``.

    ``variables`` (typed values) reach Terraform through a JSON var file in the working directory and
    ``var_files`` as ``-var-file`` flags, in that order after ``var_files``; never through python-terraform's
    own ``var=`` dict, which writes a temporary file outside the working directory on every command (even
    for no variables) and leaks it when the command is interrupted.
    """

    def __init__(
        self,
        workdir: Path,
        env: dict[str, str],
        variables: dict[str, Any] | None = None,
        var_files: Sequence[Path] = (),
    ) -> None:
        self.workdir = Path(workdir)
        self.env = dict(env)
        self.variables = dict(variables or {})
        self.var_files = [Path(p) for p in var_files]
        # The warning diagnostics of the last ``plan()`` (e.g. a deprecated attribute the module reads).
        self.plan_warnings: list[dict[str, Any]] = []
        self._tf = _Terraform(
            working_dir=str(self.workdir),
            terraform_bin_path=str(_write_launcher(self.workdir, self.env)),
        )

    def _var_options(self, extra: dict[str, Any] | None = None) -> dict[str, Any]:
        files = [str(p) for p in self.var_files]
        for label, values in (("variables", self.variables), ("extra", extra or {})):
            if values:
                path = self.workdir / f".alblab-{label}.tfvars.json"
                path.write_text(json.dumps(values, indent=1) + "\n")
                files.append(path.name)
        # var=None: without it python-terraform writes its constructor's (empty) variables to a temp file.
        return {"var": None, "var_file": files or None}

    def _check(self, command: str, result: tuple[int, str, str], ok: tuple[int, ...] = (0,)) -> str:
        rc, out, err = result
        if rc not in ok:
            raise TerraformError(command, rc, err or out)
        return out

    # --- commands -----------------------------------------------------------------------------------------

    def init(self, backend: bool = True, test_directory: str | None = None) -> bool:
        """``terraform init``, unless nothing it reads changed since its last success here (alblab.initstamp);
        True when it ran. ``test_directory``: also install the modules that *.tftest.hcl run blocks load."""
        env, flags = {**os.environ, **self.env}, {"backend": backend, "test_directory": test_directory}
        binary = _terraform_binary()
        if initstamp.is_current(self.workdir, env, binary, flags):
            return False
        initstamp.forget(self.workdir, env)
        self._check(
            "init",
            self._tf.init(backend=backend, upgrade=False, test_directory=test_directory, var=None),
        )
        initstamp.record(self.workdir, env, binary, flags)
        return True

    def validate(self) -> dict[str, Any]:
        # validate takes no -var/-input: go through cmd() with only the flags it knows.
        rc, out, err = self._tf.cmd("validate", json=IsFlagged, no_color=IsFlagged)
        result: dict[str, Any] = json.loads(out) if out.strip() else {}
        if rc != 0 and not result:
            raise TerraformError("validate", rc, err)
        return result

    def plan(self, out: Path) -> list[dict[str, Any]]:
        """``plan -out``; returns the changes it plans in the shape of ``show -json``'s ``resource_changes``
        (address, mode, type, change.actions), read from the plan's own JSON events: no ``show`` (and no
        second provider start) is needed for a summary."""
        rc, out_text, err = self._tf.plan(
            out=str(out), detailed_exitcode=None, json=IsFlagged, **self._var_options()
        )
        events = [json.loads(line) for line in out_text.splitlines() if line.startswith("{")]
        self.plan_warnings = [
            e["diagnostic"]
            for e in events
            if e.get("type") == "diagnostic" and e["diagnostic"].get("severity") == "warning"
        ]
        if rc != 0:
            raise TerraformError("plan", rc, _event_diagnostics(events) or err or out_text)
        return [change for event in events if (change := _planned_change(event)) is not None]

    def plan_exitcode(self) -> int:
        """0 = no changes, 2 = changes; anything else raises."""
        rc, out, err = self._tf.plan(detailed_exitcode=IsFlagged, lock=False, **self._var_options())
        if rc not in (0, 2):
            raise TerraformError("plan -detailed-exitcode", rc, err or out)
        return rc

    def plan_changes(self) -> list[str]:
        """Addresses a fresh plan would change (for messages when a re-plan is not clean)."""
        rc, out, err = self._tf.plan(
            detailed_exitcode=None, json=IsFlagged, lock=False, **self._var_options()
        )
        self._check("plan -json", (rc, out, err))
        changes = []
        for line in out.splitlines():
            event = json.loads(line)
            kind = {"planned_change": "", "resource_drift": "drift: "}.get(event.get("type", ""))
            if kind is not None:
                change = event.get("change", {})
                changes.append(f"{kind}{change.get('action')} {change.get('resource', {}).get('addr')}")
        return changes

    def plan_diagnostics(self) -> tuple[int, list[dict[str, Any]]]:
        """Run ``plan -json`` and return its rc and every diagnostic (errors and warnings)."""
        rc, out, _err = self._tf.plan(
            detailed_exitcode=None, json=IsFlagged, lock=False, **self._var_options()
        )
        diagnostics = []
        for line in out.splitlines():
            if not line.startswith("{"):
                continue
            event = json.loads(line)
            if event.get("type") == "diagnostic":
                diagnostics.append(event["diagnostic"])
        return rc, diagnostics

    def show_json(self, planfile: Path) -> dict[str, Any]:
        out = self._check("show", self._tf.cmd("show", str(planfile), json=IsFlagged, no_color=IsFlagged))
        result: dict[str, Any] = json.loads(out)
        return result

    def state_json(self) -> dict[str, Any]:
        out = self._check("show", self._tf.cmd("show", json=IsFlagged, no_color=IsFlagged))
        result: dict[str, Any] = json.loads(out)
        return result

    def apply(
        self, planfile: Path | None = None, variables: dict[str, Any] | None = None
    ) -> list[dict[str, Any]]:
        """``apply -json`` (of ``planfile`` when given); returns Terraform's events (each resource's start and
        end with timestamps; see ``alblab.tfevents``). On failure the ``TerraformError`` carries them too."""
        if planfile is not None:
            # A saved plan carries its variables; Terraform rejects -var/-var-file next to it.
            options: dict[str, Any] = {"var": None, "var_file": None}
            args: tuple[str, ...] = (str(planfile),)
        else:
            options, args = self._var_options(variables), ()
        flags = self._tf._generate_default_options(
            {"auto_approve": True, "input": False, "json": IsFlagged, **options}
        )
        return self._stream(self._tf.generate_cmd_string("apply", *args, **flags), None)

    def apply_events(self) -> list[dict[str, Any]]:
        """``apply -json`` without a saved plan: its events (``apply``)."""
        return self.apply()

    def destroy(
        self, refresh: bool = True, on_event: Callable[[dict[str, Any]], None] | None = None
    ) -> list[dict[str, Any]]:
        """``destroy -json``; returns its events, each also given to ``on_event`` as Terraform writes it (a
        caller can act on a resource the moment it is gone). ``refresh=False`` skips reading every resource
        back first: for a caller that knows the state is current (it has just applied and re-planned)."""
        _trace_state(self.workdir)
        options = self._tf._generate_default_options(
            {
                "force": None,
                "auto_approve": True,
                "json": IsFlagged,
                "refresh": None if refresh else False,
                **self._var_options(),
            }
        )
        return self._stream(self._tf.generate_cmd_string("destroy", **options), on_event)

    def _stream(
        self, argv: list[str], on_event: Callable[[dict[str, Any]], None] | None
    ) -> list[dict[str, Any]]:
        """Run a ``-json`` command that changes AWS and return its events, handing each to ``on_event`` as it
        comes; on failure a ``TerraformError`` carries them.

        Terraform writes into files in the working directory, never into a pipe: if this process dies
        (SIGKILL, a closed terminal), a pipe would lose its reader and Terraform would die of SIGPIPE on its
        next progress line, before it saves what it created. With files it finishes and saves its state, and
        ``alblab down`` finds it by its PID file. A failing ``on_event`` does not stop the reading: its error
        is raised once the command has ended. A Ctrl-C returns at once; the caller stops Terraform
        (``stop_running``)."""
        command = argv[1]
        out_path = events_path(self.workdir, command)
        err_path = self.workdir / f".alblab-{command}.err"
        with out_path.open("wb") as out_file, err_path.open("wb") as err_file:
            proc = _start(lambda: subprocess.Popen(argv, cwd=self.workdir, stdout=out_file, stderr=err_file))
        events: list[dict[str, Any]] = []
        failed: Exception | None = None
        with out_path.open("rb") as reader:
            pending = b""
            while True:
                ended = proc.poll() is not None  # read once more after the end: nothing is left unread
                pending += reader.read()
                *lines, pending = pending.split(b"\n")
                for line in lines:
                    try:
                        event = json.loads(line) if line.startswith(b"{") else None
                    except json.JSONDecodeError:
                        event = None
                    if event is None:
                        continue
                    events.append(event)
                    if on_event is not None and failed is None:
                        try:
                            on_event(event)
                        except Exception as exc:  # raised below, once Terraform has ended
                            failed = exc
                if ended:
                    break
                time.sleep(0.05)
        rc = proc.returncode
        stderr = err_path.read_text(errors="replace")
        for path in (out_path, err_path):
            path.unlink(missing_ok=True)
        _trace(self.workdir, command, events)
        if failed is not None:
            raise failed
        if rc != 0:
            error = TerraformError(command, rc, _event_diagnostics(events) or stderr)
            error.events = events
            raise error
        return events

    def untaint(self, address: str) -> None:
        self._check("untaint", self._tf.cmd("untaint", address, no_color=IsFlagged))

    def outputs(self) -> dict[str, Any]:
        raw = self._tf.output()
        if raw is None:
            raise TerraformError("output", 1, "terraform output -json failed")
        return {name: item["value"] for name, item in raw.items()}

    def test(self, test_directory: str) -> str:
        """``terraform test`` (mock providers, no AWS); returns its output."""
        return self._check(
            "test",
            self._tf.cmd("test", test_directory=test_directory, no_color=IsFlagged),
        )
