"""The lab's state machine on the one session life cycle: the participant's Terraform folder, their step.

The emulator, the Terraform work copy, the ALB found in the state and the data plane are the session's
(``alblab.session``), as for every other front end; what is the lab's own is here: the folder the steps'
files are copied into (``<lab dir>/terraform``), the current step, and what to print. Every operation
writes what the participant should see through ``out`` and returns an exit code; a problem the participant
can fix is a ``LabError`` (or another ``AlblabError``) that leaves the lab running.

The engine lives in the lab daemon (``alblab.lab.daemon``) so that the emulator and the data plane survive
between the participant's commands.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

from alblab import present
from alblab.lab import checks, current, screens
from alblab.lab.diagram import LANGUAGES, render, to_dot
from alblab.lab.errors import LabError
from alblab.lab.observe import Traffic
from alblab.lab.resources import read_resources
from alblab.lab.steps import BASE_DIR, LAST, Step, step
from alblab.lab.view import LabView
from alblab.session import DownReport, Session, StackHandle

Out = Callable[[str], None]

STACK_KEY = "lab"
TERRAFORM_DIR = "terraform"
# Namespace prefix of the lab's data plane; the lab's test sets its own, so a running lab is never touched.
PREFIX_ENV = "ALBLAB_LAB_PREFIX"
DEFAULT_PREFIX = "wslab"
HEALTH_WAIT_S = 40.0  # 2 checks x 5 s interval, with room for a busy 2-core machine
NOT_RUNNING = "The lab is not running: start it with `alblab lab start` (or `make lab`)."


def stop_lab(lab_dir: Path) -> DownReport:
    """Everything the lab started, gone: what the session recorded (emulator, work copy, data plane) and
    the participant's Terraform folder. Works from any process, with or without the daemon."""
    # The emulator discards what it held when it stops: destroying first would only cost time (30 s).
    # A damaged record does not stop it: down then finds what the lab started by the lab dir's marks.
    report = Session(lab_dir, recover=True).down(destroy=False)
    if report.clean:
        shutil.rmtree(lab_dir / TERRAFORM_DIR, ignore_errors=True)
        current.forget(lab_dir)
    return report


def stop_lines(report: DownReport) -> list[str]:
    lines = []
    if report.set_aside:
        lines.append(f"The lab's record could not be read (kept as {report.set_aside}); without it:")
        lines.extend(f"  {line}" for line in report.done)
    if report.clean:
        return [*lines, "Lab stopped: data plane down, emulator stopped."]
    return [*lines, *(f"could not clean up: {problem}" for problem in report.problems)]


def _shown(path: Path) -> str:
    """``path`` as the participant would type it from where they started the lab."""
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


class LabEngine:
    def __init__(self, lab_dir: Path, name: str = "lab") -> None:
        self.lab_dir = lab_dir
        self.name = name
        self.prefix = os.environ.get(PREFIX_ENV) or DEFAULT_PREFIX
        self.step = 0
        self.session: Session | None = None
        self.traffic: Traffic | None = None

    @property
    def terraform_dir(self) -> Path:
        return self.lab_dir / TERRAFORM_DIR

    # --- lifecycle ------------------------------------------------------------------------------

    def start(self, out: Out) -> int:
        if self.session is not None:
            out(f"The lab is already running (step {self.step}). `alblab lab reset` starts over.")
            return 0
        earlier = Session(self.lab_dir, recover=True)
        if earlier.active or earlier.damaged:
            # A lab whose daemon was killed: its emulator and data plane are still recorded (or, the record
            # damaged, carry the lab dir's marks).
            report = stop_lab(self.lab_dir)
            if not report.clean:
                raise LabError("an earlier lab could not be cleaned up: " + "; ".join(report.problems))
            for line in stop_lines(report)[:-1]:
                out(line)
            out("Cleaned up what an earlier lab left running.")
        self.session = Session(self.lab_dir)
        shutil.rmtree(self.terraform_dir, ignore_errors=True)
        shutil.copytree(BASE_DIR, self.terraform_dir)
        self.session.add_stack(STACK_KEY, self.terraform_dir, name=self.name)
        out(f"Your Terraform files: {_shown(self.terraform_dir)} (edit them, then `alblab lab apply`)")
        out("Step 0 (given): VPC 10.50.0.0/16, subnets a and b, instances web-a and web-b.")
        return self._enter(step(1), out, apply=True)

    def stop(self, out: Out) -> int:
        report = stop_lab(self.lab_dir)
        self.session, self.traffic, self.step = None, None, 0
        for line in stop_lines(report):
            out(line)
        return 0 if report.clean else 1

    def reset(self, out: Out) -> int:
        # A fresh emulator is faster than destroying: instances alone cost 10 s each to terminate.
        if self.stop(lambda _line: None):
            raise LabError(
                "The lab could not be stopped cleanly: run `alblab lab stop` and read what it says."
            )
        out("Starting over from step 1.")
        return self.start(out)

    # --- steps ----------------------------------------------------------------------------------

    def next(self, out: Out, apply: bool = True) -> int:
        self._handle()
        if self.step >= LAST:
            out(f"You finished the lab: step {LAST} was the last one. `alblab lab reset` starts over.")
            return 0
        return self._enter(step(self.step + 1), out, apply=apply)

    def _enter(self, target: Step, out: Out, apply: bool) -> int:
        out(f"== Step {target.number}: {target.title}")
        for source in target.files():
            destination = self.terraform_dir / source.name
            verb = "replaced" if destination.exists() else "added"
            shutil.copyfile(source, destination)
            out(f"{verb} {source.name} (from docs/lab/steps/{target.directory}/)")
        self.step = target.number
        current.save(self.lab_dir, self.step)
        if target.directory is None:
            out("No Terraform change in this step.")
        elif not apply:
            out("Apply it yourself: alblab lab apply")
            return 0
        else:
            rc = self.apply(out)
            if rc:
                return rc
        out("Try:")
        for command in target.try_next:
            out(f"  {command}")
        return 0

    def apply(self, out: Out) -> int:
        handle = self._handle()
        # A failed apply raises with Terraform's message; the daemon prints it and keeps the lab running,
        # so the participant can fix their files and apply again.
        quiet = lambda _line: None  # noqa: E731 - the lab prints the plan's summary, not Terraform's steps
        changes = handle.plan(progress=quiet)
        handle.apply_plan(progress=quiet, require_lb=False)
        for line in present.plan_lines({"resource_changes": changes}):
            out(line)
        out("Apply complete.")
        self._converge(handle, out)
        return 0

    def _converge(self, handle: StackHandle, out: Out) -> None:
        """Bring the data plane in line with the API: nothing to run before an ALB exists (or after the
        participant removed it)."""
        if not handle.load_balancers():
            handle.teardown_plane()
            self.traffic = None
            return
        stack = handle.read()
        if self.traffic is None:
            # `lab start` removed whatever an earlier lab left, so this builds a new plane.
            plane = handle.plane(stack, prefix=self.prefix)
            out(f"Data plane up: ALB {stack.load_balancer.dns_name} answers on its listeners.")
        else:
            plane = self.traffic.plane
            plane.converge(stack)
            out("Data plane converged to the new state.")
        self.traffic = Traffic(plane, stack, self.name)
        self.traffic.wait_settled(HEALTH_WAIT_S)

    def _handle(self) -> StackHandle:
        if self.session is None:
            raise LabError(NOT_RUNNING)
        return self.session.stack(STACK_KEY)

    def _traffic(self) -> Traffic:
        self._handle()
        if self.traffic is None:
            raise LabError(f"There is no load balancer yet (step {self.step}); it arrives in step 3.")
        return self.traffic

    def view(self) -> LabView:
        handle = self._handle()
        clients = handle.clients()
        resources = read_resources(clients.ec2, clients.elbv2, self.name)
        stack = self.traffic.stack if self.traffic else None
        return LabView(self.name, self.step, resources, stack, self.traffic)

    # --- what the participant runs --------------------------------------------------------------

    def show(self, out: Out) -> int:
        view = self.view()
        for line in screens.show(view.resources, view.stack):
            out(line)
        return 0

    def curl(self, out: Out, path: str, count: int, look: bool) -> int:
        traffic = self._traffic()
        if not path.startswith("/"):
            raise LabError(f"The path {path!r} must start with '/', e.g. /admin.")
        found = traffic.requests(path, count)
        for line in screens.answers(traffic.stack, found, path, look):
            out(line)
        return 0 if all(a.status > 0 for a in found) else 1

    def reach(self, out: Out) -> int:
        for line in screens.reach(self._traffic()):
            out(line)
        return 0

    def health(self, out: Out) -> int:
        for line in screens.health(self._traffic()):
            out(line)
        return 0

    def fail(self, out: Out, target: str) -> int:
        traffic = self._traffic()
        instance_id = traffic.fail(target)
        out(f"{target} stops answering (its web server is stopped).")
        state = traffic.wait_target_state(instance_id, "unhealthy", HEALTH_WAIT_S)
        out(f"Health checks: {target} is {state} - the ALB no longer sends it requests.")
        return 0 if state == "unhealthy" else 1

    def heal(self, out: Out, target: str) -> int:
        traffic = self._traffic()
        instance_id = traffic.heal(target)
        out(f"{target} answers again (its web server is back).")
        state = traffic.wait_target_state(instance_id, "healthy", HEALTH_WAIT_S)
        out(f"Health checks: {target} is {state} - the ALB sends it requests again.")
        return 0 if state == "healthy" else 1

    def check(self, out: Out) -> int:
        problems = checks.run(self.view())
        if not problems:
            out(f"step {self.step}: OK")
            return 0
        for problem in problems:
            out(f"step {self.step}: {problem}")
        return 1

    def diagram(self, out: Out, out_prefix: Path | None) -> int:
        traffic = self._traffic()
        prefix = out_prefix or self.lab_dir / f"diagram-step{self.step}"
        seen = traffic.observations()
        written = []
        for lang in LANGUAGES:
            target = prefix if lang == "en" else prefix.with_name(f"{prefix.name}.{lang}")
            _svg, png = render(to_dot(traffic.stack, seen, traffic.names, lang), target)
            written.append(png.name)
        where = "the lab dir" if out_prefix is None else str(prefix.parent)
        out(f"wrote {' and '.join(written)}, each with an .svg beside it (in {where})")
        return 0

    def status(self) -> dict[str, Any]:
        return {
            "step": self.step,
            "terraform": str(self.terraform_dir) if self.session else None,
        }
