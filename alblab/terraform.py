"""The ONE place that imports python_terraform, with the workarounds Terraform 1.x needs.

python-terraform 0.10.1 (the package the user asked for) predates Terraform 1.x. Measured breakages
(FACTS.md) and what this adapter does about each:
- ``apply()`` without ``skip_plan=True`` waits for an approval prompt that never comes ("EOF"):
  apply always runs with ``skip_plan=True`` (``-auto-approve``), which is also how a saved plan is applied.
- ``destroy()`` passes ``-force`` (removed in 0.15): call it with ``force=None, auto_approve=True``.
- ``output(name)`` raises on the 1.x JSON: read ``output()`` whole and take ``[name]["value"]``.
- ``plan()`` adds ``-detailed-exitcode`` by default (rc 2 = changes): pass ``detailed_exitcode=None``
  unless the exit code is the point.
- Variables given to the constructor are sent to every command, but a saved plan rejects ``-var``:
  applying a plan file passes ``var=None``.
- There is no per-call environment (it copies ``os.environ``); threads would race on it. Each runner
  therefore gets a small launcher script as ``terraform_bin_path`` that sets its environment.
``tests/test_terraform_adapter.py`` pins these behaviours, so a new python-terraform fails loudly there.
"""

from __future__ import annotations

import json
import shlex
import shutil
from pathlib import Path
from typing import Any

from python_terraform import IsFlagged, Terraform


class TerraformError(RuntimeError):
    def __init__(self, command: str, rc: int, stderr: str) -> None:
        super().__init__(f"terraform {command} failed (rc={rc}):\n{stderr.strip()[-4000:]}")
        self.command = command
        self.rc = rc
        self.stderr = stderr


def _write_launcher(workdir: Path, env: dict[str, str]) -> Path:
    terraform = shutil.which("terraform") or "terraform"
    exports = "".join(f"export {k}={shlex.quote(v)}\n" for k, v in sorted(env.items()))
    launcher = workdir / ".alblab-terraform"
    launcher.write_text(f'#!/bin/sh\n{exports}exec {shlex.quote(terraform)} "$@"\n')
    launcher.chmod(0o755)
    return launcher


class TerraformRunner:
    """Terraform commands on one working directory; every failure raises ``TerraformError``."""

    def __init__(self, workdir: Path, env: dict[str, str], variables: dict[str, Any] | None = None) -> None:
        self.workdir = Path(workdir)
        self.env = dict(env)
        self.variables = dict(variables or {})
        self._tf = Terraform(
            working_dir=str(self.workdir),
            variables=self.variables,
            terraform_bin_path=str(_write_launcher(self.workdir, self.env)),
        )

    def _check(self, command: str, result: tuple[int, str, str], ok: tuple[int, ...] = (0,)) -> str:
        rc, out, err = result
        if rc not in ok:
            raise TerraformError(command, rc, err or out)
        return out

    def init(self, backend: bool = True, test_directory: str | None = None) -> None:
        # test_directory: also install the modules that *.tftest.hcl run blocks load.
        self._check("init", self._tf.init(backend=backend, upgrade=False, test_directory=test_directory))

    def validate(self) -> dict[str, Any]:
        # validate takes no -var/-input: go through cmd() with only the flags it knows.
        rc, out, err = self._tf.cmd("validate", json=IsFlagged, no_color=IsFlagged)
        result: dict[str, Any] = json.loads(out) if out.strip() else {}
        if rc != 0 and not result:
            raise TerraformError("validate", rc, err)
        return result

    def plan(self, out: Path) -> None:
        self._check("plan", self._tf.plan(out=str(out), detailed_exitcode=None))

    def plan_exitcode(self) -> int:
        """0 = no changes, 2 = changes; anything else raises."""
        rc, out, err = self._tf.plan(detailed_exitcode=IsFlagged, lock=False)
        if rc not in (0, 2):
            raise TerraformError("plan -detailed-exitcode", rc, err or out)
        return rc

    def plan_changes(self) -> list[str]:
        """Addresses a fresh plan would change (for messages when a re-plan is not clean)."""
        rc, out, err = self._tf.plan(detailed_exitcode=None, json=IsFlagged, lock=False)
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
        rc, out, _err = self._tf.plan(detailed_exitcode=None, json=IsFlagged, lock=False)
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

    def apply(self, planfile: Path | None = None, variables: dict[str, Any] | None = None) -> None:
        if planfile is not None:
            # A saved plan carries its variables; Terraform rejects -var/-var-file next to it.
            result = self._tf.apply(str(planfile), skip_plan=True, var=None)
        else:
            result = self._tf.apply(skip_plan=True, var={**self.variables, **(variables or {})})
        self._check("apply", result)

    def destroy(self) -> None:
        self._check("destroy", self._tf.destroy(force=None, auto_approve=True))

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
