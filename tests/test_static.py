"""Static checks: terraform fmt, validate (root, submodules, examples), terraform test, ruff.

Each validate pays the provider's start-up (~10 s), so all of them run once, three at a time, in a
module fixture; every directory still gets its own test. Copies only: no .terraform in the repo tree.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from jobs import JobContext, Jobs, early

from alblab.sources import REPO_ROOT
from alblab.terraform import TerraformError, TerraformRunner
from alblab.tfconfig import cli_config_env
from alblab.workspace import copy_config

MODULE_DIRS = sorted(p for p in (REPO_ROOT / "modules").glob("*") if any(p.glob("*.tf")))
EXAMPLE_DIRS = sorted(p for p in (REPO_ROOT / "examples").glob("*") if any(p.glob("*.tf")))
SHARED_EXAMPLE_DIRS = sorted(
    p for p in (REPO_ROOT / "examples" / "_modules").glob("*") if any(p.glob("*.tf"))
)
CONFIG_DIRS = (
    {"root": REPO_ROOT}
    | {f"modules/{p.name}": p for p in MODULE_DIRS}
    | {f"examples/{p.name}": p for p in EXAMPLE_DIRS}
    | {f"examples/_modules/{p.name}": p for p in SHARED_EXAMPLE_DIRS}
)


def _validate(src: Path, dst: Path, env: dict[str, str]) -> dict[str, Any]:
    copy_config(src, dst)
    runner = TerraformRunner(dst, env)
    try:
        runner.init(backend=False)
    except TerraformError as exc:
        return {"valid": False, "diagnostics": [{"summary": "init failed", "detail": str(exc)}]}
    return runner.validate()


def _from_plans(planned: dict[str, Any], key: str) -> dict[str, Any]:
    """A plan validates, and every example is planned for the plan tests anyway: an example (or a module only
    the examples use) is valid when its plans succeeded. Saves a provider start per directory."""
    names = [key.removeprefix("examples/")] if not key.startswith("examples/_modules/") else list(planned)
    failed = [f"examples/{n}: {planned[n].error}" for n in names if planned[n].error is not None]
    if failed:
        return {"valid": False, "diagnostics": [{"summary": "plan failed", "detail": "\n".join(failed)}]}
    return {"valid": True, "diagnostics": []}


@early("validate", seconds=30)
def validate_modules(ctx: JobContext) -> dict[str, dict[str, Any]]:
    """``terraform validate`` of the root module and each submodule, from the session's start."""
    base = ctx.work_root / "validate"
    env = cli_config_env(base) | ctx.tf_env
    own = {k: v for k, v in CONFIG_DIRS.items() if not k.startswith("examples/")}
    with ThreadPoolExecutor(max_workers=3) as pool:
        futures = {
            key: pool.submit(_validate, src, base / key.replace("/", "__"), env) for key, src in own.items()
        }
        return {key: future.result() for key, future in futures.items()}


@pytest.fixture(scope="module")
def validations(jobs: Jobs, planned: dict[str, Any]) -> dict[str, dict[str, Any]]:
    results: dict[str, dict[str, Any]] = jobs.result("validate")
    return results | {k: _from_plans(planned, k) for k in CONFIG_DIRS if k.startswith("examples/")}


def test_every_config_dir_found() -> None:
    assert (REPO_ROOT / "main.tf").is_file() or any(REPO_ROOT.glob("*.tf")), "root module has no .tf files"
    assert len(EXAMPLE_DIRS) >= 1
    assert len(MODULE_DIRS) >= 1
    assert len(SHARED_EXAMPLE_DIRS) >= 1


@pytest.mark.parametrize("key", sorted(CONFIG_DIRS))
def test_terraform_validate(validations: dict[str, dict[str, Any]], key: str) -> None:
    result = validations[key]
    problems = [
        f"{d.get('summary')} {d.get('detail', '')} {d.get('range', {}).get('filename', '')}"
        for d in result.get("diagnostics", [])
        if d.get("severity", "error") == "error"
    ]
    assert result.get("valid") is True, "\n".join(problems) or str(result)


def test_terraform_fmt() -> None:
    proc = subprocess.run(
        ["terraform", "fmt", "-check", "-recursive", "-list=true"],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, f"not terraform-fmt clean:\n{proc.stdout}{proc.stderr}"


@early("terraform_test", seconds=160)
def run_terraform_tests(ctx: JobContext) -> str:
    """``terraform test`` of tests/tf/*.tftest.hcl from a copy of the root module, from the session's start;
    its output (a failure is the output too: the test says what failed)."""
    tests_dir = REPO_ROOT / "tests" / "tf"
    if not any(tests_dir.glob("*.tftest.hcl")):
        return "no tests/tf/*.tftest.hcl: the module's terraform tests are missing"
    base = ctx.work_root / "tftest"
    dst = copy_config(REPO_ROOT, base / "root", with_dirs=("modules",))
    shutil.copytree(tests_dir, dst / "tests" / "tf")
    runner = TerraformRunner(dst, cli_config_env(base) | ctx.tf_env)
    runner.init(backend=False, test_directory="tests/tf")
    try:
        return runner.test("tests/tf")
    except TerraformError as exc:
        return str(exc)


def test_terraform_test_files(jobs: Jobs) -> None:
    """The module's *.tftest.hcl (mock_provider), run from a copy of the root module."""
    out: str = jobs.result("terraform_test")
    assert "0 failed" in out or " passed, 0 failed" in out, out
    assert "Success!" in out, out


@pytest.mark.parametrize("args", [["check"], ["format", "--check"]], ids=["ruff-check", "ruff-format"])
def test_ruff(args: list[str]) -> None:
    ruff = Path(sys.executable).with_name("ruff")
    proc = subprocess.run(
        [str(ruff), *args, "alblab", "tests", "benchmarks"],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
