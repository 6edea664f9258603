"""What ``down`` finds without a record: the processes that carry a state directory's mark, and the work
copies it must not throw away.

Every process a session starts carries ``ALBLAB_STATE_DIR=<state dir>`` in its environment (the emulator,
the shared providers, Terraform and the providers it starts, the web console, the git and tar that write a
change check's base) or, for the data plane's HAProxy nodes, backends, rootless holder and a change check's
request loop, a plane marker that names the state directory. A scan of /proc finds them
when ``session.json`` is damaged or lost, or a process was started but not yet recorded when its parent was
killed — and never another state directory's processes, whose mark differs. They stop in the order that
loses nothing: Terraform first, with one SIGINT so that it saves its state; then the data plane with its
namespaces; then the rest (emulator, providers).
"""

from __future__ import annotations

import contextlib
import os
import signal
import time
from collections.abc import Callable
from pathlib import Path

from alblab import consoles, pids, records
from alblab.emulator import SERVER_MODULE
from alblab.errors import StateError
from alblab.terraform import running_pid
from alblab.tfstate import resources_in_state_file
from alblab.workspace import OVERRIDE_FILE

TERRAFORM_STOP_S = 60.0


def marked(home: Path) -> list[int]:
    """Live processes carrying ``home``'s mark (the data plane's aside: :func:`sweep` asks it)."""
    entry = records.mark_entry(home)
    return pids.with_environ(lambda env: entry in env)


def plane_marked(home: Path) -> bool:
    """Whether a data plane process of ``home`` still runs."""
    from alblab.dataplane import owned_processes

    return bool(owned_processes(str(home)))


def _still_marked(home: Path) -> Callable[[int], bool]:
    entry = records.mark_entry(home)
    return lambda pid: entry in pids.environ(pid) and pids.alive(pid)


def _is_terraform(pid: int) -> bool:
    argv = pids.cmdline(pid)
    return bool(argv) and argv[0].endswith(b"terraform")


def describe(pid: int) -> str:
    """A process in words, for the report."""
    argv = pids.cmdline(pid)
    words = [a.decode(errors="replace") for a in argv if a]
    if SERVER_MODULE.encode() in argv:
        return f"the AWS emulator (pid {pid})"
    if consoles.MODULE in argv:
        return f"the web console (pid {pid})"
    if argv and b"terraform-provider-aws" in argv[0]:
        return f"an aws provider (pid {pid})"
    if _is_terraform(pid):
        return f"terraform {words[1] if len(words) > 1 else ''} (pid {pid})".replace("  ", " ")
    return f"{Path(words[0]).name if words else 'a process'} (pid {pid})"


def sweep(home: Path, done: list[str], problems: list[str]) -> None:
    """Stop whatever carries ``home``'s mark; what it stopped goes to ``done``, what it could not to
    ``problems``."""
    still = _still_marked(home)
    terraform = [pid for pid in marked(home) if _is_terraform(pid)]
    for pid in terraform:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGINT)
    # Stopping by itself, Terraform saves its state and removes its temporary files. One that does not in
    # time is stopped like the rest on the emulator (what it was making goes with the emulator); on real AWS
    # it is left to finish, since its state is all that says what it made.
    deadline = time.monotonic() + TERRAFORM_STOP_S
    while time.monotonic() < deadline and any(still(pid) for pid in terraform):
        time.sleep(0.1)
    real = [pid for pid in terraform if not (Path(pids.cwd(pid)) / OVERRIDE_FILE).exists()]
    running = [pid for pid in real if still(pid)]
    if running:
        # Its providers and the emulator stay too: Terraform on real AWS must not lose its state.
        problems.extend(
            f"terraform (pid {pid}, in {pids.cwd(pid)}) did not stop after Ctrl-C: once it has, run "
            "'alblab down' again"
            for pid in running
        )
        return
    done.extend(f"stopped terraform (pid {pid}), found by this state directory's mark" for pid in terraform)

    from alblab.dataplane import DataPlaneError, teardown_owned

    try:
        done.extend(teardown_owned(str(home)))
    except DataPlaneError as exc:
        problems.append(f"the data plane found by this state directory's mark: {exc}")

    for pid in marked(home):
        what = describe(pid)
        if pids.terminate(pid, still):
            done.append(f"stopped {what}, found by this state directory's mark")
        else:
            problems.append(f"{what} did not stop")


def keep_work_copy(workdir: Path) -> str:
    """Why a work copy no record names must stay (one line for the report), or "" when it may go: Terraform
    still runs in it, or its state holds resources on real AWS (a copy without the emulator's override file)
    that only a destroy may remove."""
    if running_pid(workdir) is not None:
        return f"terraform still runs in {workdir}: once it has stopped, run 'alblab down' again"
    if (workdir / OVERRIDE_FILE).exists():
        return ""  # the emulator's: what it held goes with the emulator
    try:
        count = len(resources_in_state_file(workdir / "terraform.tfstate"))
    except (OSError, StateError, ValueError, KeyError, AttributeError, TypeError):
        count = -1
    if not count:
        return ""
    held = f"{count} resources" if count > 0 else "resources (its state file is unreadable)"
    return (
        f"{workdir} holds the Terraform state of {held} on real AWS, and no record says how it was applied: "
        "run 'terraform destroy' there with your variables, remove the folder, then run 'alblab down' again"
    )
