"""The lab's state machine: one emulator, one lab workdir, one data plane, the participant's current step.

Every operation writes what the participant should see through ``out`` and returns an exit code.
The engine lives in the lab daemon (``alblab.lab.daemon``) so that the emulator, the namespaces and HAProxy
survive between the participant's commands.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from alblab.lab import checks, observe
from alblab.lab.diagram import render, to_dot
from alblab.lab.plan_summary import summarize
from alblab.lab.resources import read_resources, render_resources
from alblab.lab.steps import BASE_DIR, LAST, Step, step
from alblab.model import Stack

Out = Callable[[str], None]

HEALTH_WAIT_S = 40.0  # 2 checks x 5 s interval, with room for a busy 2-core machine


class LabError(Exception):
    """A problem the participant can fix; the message says how."""


class LabEngine:
    def __init__(self, lab_dir: Path, name: str = "lab") -> None:
        self.lab_dir = lab_dir
        self.name = name
        self.step = 0
        self.emulator: Any = None
        self.workspace: Any = None
        self.clients: Any = None
        self.plane: Any = None
        self._stack: Stack | None = None

    # --- lifecycle ------------------------------------------------------------------------------

    def start(self, out: Out) -> int:
        from alblab.emulator import Emulator
        from alblab.state import aws_clients
        from alblab.workspace import Workspace

        if self.emulator is not None:
            out(f"The lab is already running (step {self.step}). `alblab lab reset` starts over.")
            return 0
        self.lab_dir.mkdir(parents=True, exist_ok=True)
        self.emulator = Emulator(state_dir=self.lab_dir / "emulator")
        self.emulator.start()
        self.clients = aws_clients(self.emulator.endpoint)
        work_root = self.lab_dir / "work"
        shutil.rmtree(work_root, ignore_errors=True)
        self.workspace = Workspace.prepare(BASE_DIR, self.name, work_root, self.emulator.endpoint)
        self.workspace.runner.init()
        out(f"Terraform workdir: {self.workspace.dir.relative_to(self.lab_dir)} (in the lab dir)")
        out("Step 0 (given): VPC 10.50.0.0/16, subnets a and b, instances web-a and web-b.")
        return self._enter(step(1), out, apply=True)

    def stop(self, out: Out) -> int:
        if self.plane is not None:
            self.plane.down()
            self.plane = None
        if self.emulator is not None:
            self.emulator.stop()
            self.emulator = None
        self.step = 0
        self._stack = None
        out("Lab stopped: data plane down, emulator stopped.")
        return 0

    def reset(self, out: Out) -> int:
        # A fresh emulator is faster than destroying: instances alone cost 10 s each to terminate.
        self.stop(lambda _line: None)
        out("Starting over from step 1.")
        return self.start(out)

    # --- steps ----------------------------------------------------------------------------------

    def next(self, out: Out, apply: bool = True) -> int:
        self._require_started()
        if self.step >= LAST:
            out(f"You finished the lab: step {LAST} was the last one. `alblab lab reset` starts over.")
            return 0
        return self._enter(step(self.step + 1), out, apply=apply)

    def _enter(self, target: Step, out: Out, apply: bool) -> int:
        out(f"== Step {target.number}: {target.title}")
        for source in target.files():
            destination = self.workspace.dir / source.name
            verb = "replaced" if destination.exists() else "added"
            shutil.copyfile(source, destination)
            out(f"{verb} {source.name} (from docs/lab/steps/{target.directory}/)")
        self.step = target.number
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
        self._require_started()
        runner = self.workspace.runner
        with tempfile.TemporaryDirectory() as tmp:
            planfile = Path(tmp) / "lab.tfplan"
            runner.plan(out=planfile)
            for line in summarize(runner.show_json(planfile)):
                out(line)
            runner.apply(planfile=planfile)
        out("Apply complete.")
        self._converge(out)
        return 0

    def _converge(self, out: Out) -> None:
        """Bring the data plane in line with the API: nothing to run before an ALB exists."""
        stack = self._read_stack()
        if stack is None:
            return
        if self.plane is None:
            from alblab.dataplane import DataPlane

            self.plane = DataPlane(
                stack, self.lab_dir / "dataplane", key_dir=self.workspace.key_dir, prefix=observe.PREFIX
            )
            self.plane.up()
            out(f"Data plane up: ALB {stack.load_balancer.dns_name} answers on its listeners.")
        else:
            self.plane.converge(stack)
            out("Data plane converged to the new state.")
        observe.wait_health_settled(self.plane, stack, HEALTH_WAIT_S)

    def _read_stack(self) -> Stack | None:
        from alblab.state import read_stack

        alb_name = f"{self.name}-alb"
        found = self.clients.elbv2.describe_load_balancers()["LoadBalancers"]
        if not any(lb["LoadBalancerName"] == alb_name for lb in found):
            self._stack = None
            return None
        self._stack = read_stack(self.clients, alb_name)
        return self._stack

    def _require_started(self) -> None:
        if self.emulator is None:
            raise LabError("The lab is not running: start it with `alblab lab start` (or `make lab`).")

    def _require_plane(self) -> Stack:
        self._require_started()
        if self.plane is None or self._stack is None:
            raise LabError(f"There is no load balancer yet (step {self.step}); it arrives in step 3.")
        return self._stack

    # --- what the participant runs --------------------------------------------------------------

    def show(self, out: Out) -> int:
        self._require_started()
        out(render_resources(read_resources(self.clients.ec2, self.clients.elbv2, self.name)))
        if self._stack is not None:
            lb = self._stack.load_balancer
            out(f"load balancer {lb.name}  {lb.dns_name}")
            for listener in lb.listeners:
                out(f"  listener {listener.protocol}:{listener.port}")
                for line in observe.describe_rules(self._stack, listener, self.name):
                    out(f"    {line}")
        return 0

    def curl(self, out: Out, path: str, count: int, view: bool) -> int:
        stack = self._require_plane()
        results = [observe.request(self.plane, stack, path, self.name) for _ in range(count)]
        for line in observe.render_answers(stack, results, path, view):
            out(line)
        return 0 if all(r.status > 0 for r in results) else 1

    def reach(self, out: Out) -> int:
        stack = self._require_plane()
        for line in observe.render_reach(self.plane, stack, self.name):
            out(line)
        return 0

    def health(self, out: Out) -> int:
        stack = self._require_plane()
        for line in observe.render_health(self.plane, stack, self.name):
            out(line)
        return 0

    def fail(self, out: Out, target: str) -> int:
        stack = self._require_plane()
        instance_id = observe.instance_id(stack, self.name, target)
        self.plane.fail(instance_id, mode="dead")
        out(f"{target} stops answering (its web server is stopped).")
        state = observe.wait_target_state(self.plane, stack, instance_id, "unhealthy", HEALTH_WAIT_S)
        out(f"Health checks: {target} is {state} - the ALB no longer sends it requests.")
        return 0 if state == "unhealthy" else 1

    def heal(self, out: Out, target: str) -> int:
        stack = self._require_plane()
        instance_id = observe.instance_id(stack, self.name, target)
        self.plane.heal(instance_id)
        out(f"{target} answers again (its web server is back).")
        state = observe.wait_target_state(self.plane, stack, instance_id, "healthy", HEALTH_WAIT_S)
        out(f"Health checks: {target} is {state} - the ALB sends it requests again.")
        return 0 if state == "healthy" else 1

    def check(self, out: Out) -> int:
        self._require_started()
        problems = checks.run(self, self.step)
        if not problems:
            out(f"step {self.step}: OK")
            return 0
        for problem in problems:
            out(f"step {self.step}: {problem}")
        return 1

    def diagram(self, out: Out, out_prefix: Path | None) -> int:
        stack = self._require_plane()
        prefix = out_prefix or self.lab_dir / f"diagram-step{self.step}"
        seen = observe.observations(self.plane, stack)
        svg, png = render(to_dot(stack, seen, observe.short_names(stack, self.name)), prefix)
        out(f"wrote {svg.name} and {png.name} (in {'the lab dir' if out_prefix is None else prefix.parent})")
        return 0

    def status(self) -> dict[str, Any]:
        return {"step": self.step, "workdir": str(self.workspace.dir) if self.workspace else None}
