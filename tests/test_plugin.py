"""The pytest plugin as a module consumer uses it: pytest run on a project that lives outside this package
(its own directory, pytest.ini and tests; the module referenced by path), so nothing here relies on this
repository's conftest. The plugin is found through the package's ``pytest11`` entry point.

Each run is a pytest subprocess in a directory and TMPDIR of its own, started when the session starts (early
jobs: they mostly wait for the provider's waiters); the tests assert on what each run printed and left.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import textwrap
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
from jobs import JobContext, Jobs, early
from procscan import CLI, clean_up, with_env
from test_docs_testing import blocks_after

from alblab.dataplane import availability

CONSUMER = Path(__file__).parent / "fixtures" / "consumer"
PLAIN = Path(__file__).parent / "fixtures" / "plain-alb"
PYTEST = [sys.executable, "-m", "pytest", "-p", "no:cacheprovider"]
KEPT_TEST = textwrap.dedent(
    f"""
    from alblab.testing import alb_stack

    plain = alb_stack({str(PLAIN)!r}, variables={{"image": "ami-1e749f67"}})


    def test_fails_on_purpose(plain):
        assert plain.lb.name == "not-shop", "failing on purpose"
    """
)
pytestmark = [pytest.mark.apply, pytest.mark.timeout(900)]


@dataclass
class Run:
    rc: int
    out: str
    tmp: Path
    left_processes: list[int]
    left_files: list[str]
    extra: dict[str, subprocess.CompletedProcess[str]]
    applies: int = 0  # terraform apply commands the run started (counted where ALBLAB_TF_LOG is set)

    def outcomes(self) -> dict[str, int]:
        """pytest's final counts: {"passed": 4, "skipped": 1, ...}."""
        last = [
            line for line in self.out.splitlines() if re.search(r"\d+ (passed|failed|skipped|error)", line)
        ]
        return {word: int(n) for n, word in re.findall(r"(\d+) (\w+)", last[-1])} if last else {}


def consumer_args(*extra: str) -> list[str]:
    # -c/--rootdir: the consumer's own configuration; its conftest search stops at its own directory.
    return ["-c", str(CONSUMER / "pytest.ini"), "--rootdir", str(CONSUMER), *extra]


def environment(tmp: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("ALBLAB_HOME", "PYTEST_ADDOPTS")}
    return {**env, "TMPDIR": str(tmp), **extra}


def finished(rc: int, out: str, tmp: Path, **extra: subprocess.CompletedProcess[str]) -> Run:
    """What the run printed and left, recorded for the tests to judge; then whatever it left is removed, so a
    failing run does not leave this machine dirty."""
    left = [p.name for p in tmp.iterdir() if p.name.startswith("alblab-")]
    run = Run(rc, out, tmp, with_env("TMPDIR", tmp), left, dict(extra))
    if run.left_processes or left:
        homes = [*tmp.glob("alblab-pytest-*"), *tmp.glob("alblab-pytest-*/gw*")]  # xdist: one per worker
        clean_up("TMPDIR", tmp, environment(tmp), homes, cwd=tmp)
    return run


@early("plugin_consumer", seconds=470)
def run_consumer(ctx: JobContext) -> Run:
    tmp = Path(tempfile.mkdtemp(prefix="plugin-consumer-", dir=ctx.work_root))
    proc = subprocess.run(
        [*PYTEST, *consumer_args("-v", str(CONSUMER / "tests"))],
        cwd=tmp, env=environment(tmp), capture_output=True, text=True, timeout=850, check=False,
    )  # fmt: skip
    return finished(proc.returncode, proc.stdout + proc.stderr, tmp)


@early("plugin_ctrl_c", seconds=150)
def run_and_interrupt(ctx: JobContext) -> Run:
    tmp = Path(tempfile.mkdtemp(prefix="plugin-ctrl-c-", dir=ctx.work_root))
    with (tmp / "out.txt").open("wb") as out:
        proc = subprocess.Popen(
            [*PYTEST, *consumer_args("-k", "applies_cleanly", str(CONSUMER / "tests"))],
            cwd=tmp, env=environment(tmp), stdout=out, stderr=subprocess.STDOUT,
        )  # fmt: skip
        # Interrupt while Terraform applies: wait for its state file to hold something.
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline and proc.poll() is None:
            states = tmp.glob("alblab-pytest-*/work/*/terraform.tfstate")
            if any(p.stat().st_size > 200 for p in states):
                break
            time.sleep(0.5)
        proc.send_signal(signal.SIGINT)
        rc = proc.wait(timeout=300)
    text = (tmp / "out.txt").read_text()
    (tmp / "out.txt").unlink()
    return finished(rc, text, tmp)


@early("plugin_keep", seconds=200)
def run_keep_then_cli(ctx: JobContext) -> Run:
    tmp = Path(tempfile.mkdtemp(prefix="plugin-keep-", dir=ctx.work_root))
    home = tmp / "home"
    (tmp / "test_kept.py").write_text(KEPT_TEST)
    env = environment(tmp, ALBLAB_HOME=str(home))
    run = subprocess.run(
        [*PYTEST, "--alblab-keep", "--alblab-no-dataplane", "test_kept.py"],
        cwd=tmp, env=env, capture_output=True, text=True, timeout=850, check=False,
    )  # fmt: skip
    status = subprocess.run(
        [*CLI, "--stack", "plain-test_kept", "status"], cwd=tmp, env=env, capture_output=True, text=True,
        timeout=120, check=False,
    )  # fmt: skip
    down = subprocess.run(
        [*CLI, "down"], cwd=tmp, env=env, capture_output=True, text=True, timeout=300, check=False
    )
    (tmp / "test_kept.py").unlink()
    return finished(run.returncode, run.stdout + run.stderr, tmp, status=status, down=down)


@early("plugin_accounts", seconds=320)
def run_one_configuration_twice(ctx: JobContext) -> Run:
    """Two fixtures of one configuration whose names are fixed (an ALB called "shop"), one with a variable
    switched, as docs/testing-your-config.md shows them; plus: the provider's own view of its account."""
    tmp = Path(tempfile.mkdtemp(prefix="plugin-accounts-", dir=ctx.work_root))
    (tmp / "tests").mkdir()
    (tmp / "plain-alb").symlink_to(PLAIN)  # where the documented file finds it: "../plain-alb"
    sts = textwrap.dedent(
        """

        def test_sts_answers_each_stacks_account(closed, opened):
            # GetCallerIdentity answers the account of the signing credentials:
            # https://docs.aws.amazon.com/STS/latest/APIReference/API_GetCallerIdentity.html
            import boto3

            for stack in (closed, opened):
                sts = boto3.client(
                    "sts", endpoint_url=stack.handle.session.endpoint, region_name="us-east-1",
                    aws_access_key_id=stack.handle.access_key, aws_secret_access_key="x",
                )
                assert sts.get_caller_identity()["Account"] == stack.account
                groups = stack.stack.target_groups.values()
                assert groups and all(f":{stack.account}:" in tg.arn for tg in groups)
        """
    )
    (tmp / "tests" / "test_twice.py").write_text(blocks_after("<!-- two-accounts-test -->") + sts)
    proc = subprocess.run(
        [*PYTEST, "-v", "tests/test_twice.py"],
        cwd=tmp, env=environment(tmp), capture_output=True, text=True, timeout=850, check=False,
    )  # fmt: skip
    shutil.rmtree(tmp / "tests")
    (tmp / "plain-alb").unlink()
    return finished(proc.returncode, proc.stdout + proc.stderr, tmp)


@early("plugin_xdist", seconds=460)
def run_consumer_on_two_workers(ctx: JobContext) -> Run:
    tmp = Path(tempfile.mkdtemp(prefix="plugin-xdist-", dir=ctx.work_root))
    log = tmp.parent / f"{tmp.name}.tf.log"  # ALBLAB_TF_LOG: one line per Terraform command, its kind first
    proc = subprocess.run(
        [*PYTEST, *consumer_args("-n", "2", "-v", str(CONSUMER / "tests"))],
        cwd=tmp, env=environment(tmp, ALBLAB_TF_LOG=str(log)), capture_output=True, text=True, timeout=850,
        check=False,
    )  # fmt: skip
    commands = log.read_text().split("\n") if log.exists() else []
    log.unlink(missing_ok=True)
    run = finished(proc.returncode, proc.stdout + proc.stderr, tmp)
    run.applies = sum(c.startswith("apply ") for c in commands)
    return run


@early("plugin_keep_xdist", seconds=190)
def run_keep_on_two_workers_then_cli(ctx: JobContext) -> Run:
    tmp = Path(tempfile.mkdtemp(prefix="plugin-keep-xdist-", dir=ctx.work_root))
    (tmp / "test_kept.py").write_text(KEPT_TEST + "\n\ndef test_needs_no_stack():\n    pass\n")
    env = environment(tmp, ALBLAB_HOME=str(tmp / "home"))
    run = subprocess.run(
        [*PYTEST, "-n", "2", "--alblab-keep", "--alblab-no-dataplane", "test_kept.py"],
        cwd=tmp, env=env, capture_output=True, text=True, timeout=850, check=False,
    )  # fmt: skip
    out = run.stdout + run.stderr
    shown = re.search(r"ALBLAB_HOME=(\S+) alblab --stack plain-test_kept status", out)
    extra = {}
    if shown:
        kept_env = {**env, "ALBLAB_HOME": shown.group(1)}
        extra["status"] = subprocess.run(
            [*CLI, "--stack", "plain-test_kept", "status"], cwd=tmp, env=kept_env, capture_output=True,
            text=True, timeout=120, check=False,
        )  # fmt: skip
        extra["down"] = subprocess.run(
            [*CLI, "down"], cwd=tmp, env=kept_env, capture_output=True, text=True, timeout=300, check=False
        )
    (tmp / "test_kept.py").unlink()
    return finished(run.returncode, out, tmp, **extra)


@early("plugin_xdist_crash", seconds=160)
def run_a_worker_that_dies(ctx: JobContext) -> Run:
    """A worker killed with its stack applied: the controller downs the worker's state directory."""
    tmp = Path(tempfile.mkdtemp(prefix="plugin-xdist-crash-", dir=ctx.work_root))
    (tmp / "test_crash.py").write_text(
        textwrap.dedent(
            f"""
            import os
            import signal

            from alblab.testing import alb_stack

            plain = alb_stack({str(PLAIN)!r}, variables={{"image": "ami-1e749f67"}}, dataplane=False)


            def test_the_worker_dies(plain):
                assert plain.lb.name == "shop"
                os.kill(os.getpid(), signal.SIGKILL)
            """
        )
    )
    proc = subprocess.run(
        [*PYTEST, "-n", "1", "--max-worker-restart", "0", "test_crash.py"],
        cwd=tmp, env=environment(tmp), capture_output=True, text=True, timeout=850, check=False,
    )  # fmt: skip
    (tmp / "test_crash.py").unlink()
    return finished(proc.returncode, proc.stdout + proc.stderr, tmp)


def test_a_consumer_project(jobs: Jobs) -> None:
    run: Run = jobs.result("plugin_consumer")
    if availability() is None:
        assert run.outcomes() == {"passed": 5}, run.out
    else:
        # Traffic tests skip with the reason (the change test once it applied); the API-state test still runs.
        assert run.outcomes() == {"passed": 1, "skipped": 4}, run.out
        assert "alblab data plane not available" in run.out
    assert "Traceback" not in run.out
    assert run.left_processes == [], run.out
    assert run.left_files == [], "the plugin left its state directory behind"


def test_ctrl_c_during_an_apply_leaves_nothing(jobs: Jobs) -> None:
    run: Run = jobs.result("plugin_ctrl_c")
    assert run.rc == 2, run.out  # pytest's exit code for an interrupted run
    assert "KeyboardInterrupt" in run.out
    assert run.left_processes == [], run.out
    assert run.left_files == [], run.out


def test_keep_leaves_a_failed_stack_for_the_cli(jobs: Jobs) -> None:
    run: Run = jobs.result("plugin_keep")
    home = run.tmp / "home"
    assert run.outcomes() == {"failed": 1}, run.out
    # One key per fixture instance: the fixture's name and, for module scope, its module.
    assert (
        "kept 1 stack" in run.out and f"ALBLAB_HOME={home} alblab --stack plain-test_kept status" in run.out
    )
    status, down = run.extra["status"], run.extra["down"]
    assert status.returncode == 0, status.stderr
    assert "aws_lb.shop" in status.stdout
    assert down.returncode == 0, down.stderr
    assert "nothing is left" in down.stdout
    assert not home.exists()
    assert run.left_processes == [], run.out


def test_one_configuration_with_fixed_names_twice_in_one_run(jobs: Jobs) -> None:
    run: Run = jobs.result("plugin_accounts")
    if availability() is None:
        assert run.outcomes() == {"passed": 3}, run.out
    else:
        assert run.outcomes() == {"passed": 2, "skipped": 1}, run.out
    assert "Traceback" not in run.out
    assert run.left_processes == [], run.out
    assert run.left_files == [], "the plugin left its state directory behind"


def test_a_consumer_project_on_two_xdist_workers(jobs: Jobs) -> None:
    run: Run = jobs.result("plugin_xdist")
    expected = {"passed": 5} if availability() is None else {"passed": 1, "skipped": 4}
    assert run.outcomes() == expected, run.out
    # Each worker that ran tests of the shared stack applied it once, in an emulator of its own; the change's
    # stack was applied once, then the change over it (one more apply, in the same account).
    ran = re.findall(r"\[(gw\d+)\] \[ *\d+%\] (?:PASSED|SKIPPED) \S+::(\w+)", run.out)
    assert len(ran) == 5, run.out
    workers = {worker for worker, test in ran if not test.startswith("test_moving_the_shop")}
    assert workers, run.out
    assert run.applies == len(workers) + 2, run.out
    assert "Traceback" not in run.out
    assert run.left_processes == [], run.out
    assert run.left_files == [], "a worker left its state directory behind"


def test_keep_on_xdist_workers_names_the_workers_state_directory(jobs: Jobs) -> None:
    run: Run = jobs.result("plugin_keep_xdist")
    assert run.outcomes() == {"failed": 1, "passed": 1}, run.out
    assert "kept 1 stack" in run.out, run.out
    assert "status" in run.extra, f"no line to reach the kept stack:\n{run.out}"
    status, down = run.extra["status"], run.extra["down"]
    assert status.returncode == 0, status.stderr
    assert "aws_lb.shop" in status.stdout
    assert down.returncode == 0, down.stderr
    assert "nothing is left" in down.stdout
    assert not list(run.tmp.glob("home*")), "a worker's state directory is left"
    assert run.left_processes == [], run.out


def test_the_controller_cleans_up_after_a_worker_that_died(jobs: Jobs) -> None:
    run: Run = jobs.result("plugin_xdist_crash")
    assert run.rc == 1 and "crashed" in run.out, run.out
    assert "could not clean up" not in run.out, run.out
    assert run.left_processes == [], run.out
    assert run.left_files == [], "the dead worker's state directory is left"
