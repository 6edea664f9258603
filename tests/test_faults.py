"""The fault matrix: what a user can get wrong or break around `alblab up`, and `alblab down` as the one way
back. Every case: one clear message (never a traceback), the documented exit code, and after `down` nothing
left — no process alblab started, no namespace, no temp file, no work folder.

Each run gets its own ALBLAB_HOME and TMPDIR; every process alblab starts inherits ALBLAB_HOME, so "nothing
left" is checked by scanning /proc for that environment entry (emulator, Terraform, HAProxy, backends and,
rootless, the namespace holder alike).
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import subprocess
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from jobs import JobContext, Jobs, early
from procscan import CLI, clean_up, namespaces, plane_prefixes, run_prefix, with_env

from alblab import pids
from alblab.dataplane import availability
from alblab.state import aws_clients
from alblab.terraform import events_path, running_pid

pytestmark = [pytest.mark.lifecycle, pytest.mark.timeout(1200)]
DATAPLANE = availability() is None
LAB_PREFIX = run_prefix("wd")  # the damaged lab's namespaces
HELP_DOWN = "alblab down"
DOWN_HINT = "run 'alblab down'"  # what an interrupted command says


@dataclass
class Env:
    home: Path
    tmp: Path

    def environ(self) -> dict[str, str]:
        return {**os.environ, "ALBLAB_HOME": str(self.home), "TMPDIR": str(self.tmp), "PYTHONUNBUFFERED": "1"}


@contextlib.contextmanager
def case_env(base: Path) -> Iterator[Env]:
    e = Env(base / "home", base / "tmp")
    e.tmp.mkdir(parents=True)
    passed = False
    try:
        yield e
        passed = True
    finally:
        # Whatever a case did, failed or not, leave this machine clean; a case that passed must have done
        # so itself.
        left = ours(e)
        if left:
            # What down leaves running (e.g. an `up` still holding the session's lock, so that down was
            # refused) is killed.
            killed = clean_up("ALBLAB_HOME", e.home, e.environ(), [e.home])
            if killed:
                alblab(e, "down", timeout=600)  # what the killed processes left: namespaces, state
            if passed:
                pytest.fail(f"processes were still running after the case: {left}")


@pytest.fixture
def env(tmp_path: Path) -> Iterator[Env]:
    with case_env(tmp_path) as e:
        yield e


def alblab(e: Env, *args: str, timeout: float = 600) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*CLI, *args],
        capture_output=True, text=True, env=e.environ(), timeout=timeout, check=False,
    )  # fmt: skip


def ours(e: Env) -> list[int]:
    """PIDs of live processes that carry this case's ALBLAB_HOME (everything alblab started for it)."""
    return with_env("ALBLAB_HOME", e.home)


def assert_clean(e: Env, prefixes: set[str] = frozenset()) -> None:  # type: ignore[assignment]
    assert ours(e) == [], f"processes left: {ours(e)}"
    assert not e.home.exists(), f"state left: {sorted(p.name for p in e.home.rglob('*'))[:20]}"
    assert list(e.tmp.iterdir()) == [], f"temp files left: {list(e.tmp.iterdir())}"
    left = {ns for ns in namespaces() for prefix in prefixes if ns.startswith(f"{prefix}-")}
    assert left == set(), f"namespaces left: {left}"


def assert_message(proc: subprocess.CompletedProcess[str], code: int, *texts: str) -> None:
    out = proc.stdout + proc.stderr
    assert proc.returncode == code, f"rc {proc.returncode}, expected {code}:\n{out}"
    assert "Traceback" not in out, out
    for text in texts:
        assert text in out, f"{text!r} not in:\n{out}"


def broken_config(tmp: Path, kind: str) -> Path:
    d = tmp / kind
    d.mkdir()
    if kind == "syntax":
        (d / "main.tf").write_text('resource "aws_vpc" "x" {\n  cidr_block =\n}\n')
    else:
        (d / "main.tf").write_text(
            'variable "port" {\n  type    = number\n  default = 99999\n  validation {\n'
            '    condition     = var.port <= 65535\n    error_message = "port must be 1-65535."\n  }\n}\n'
        )
    return d


# --- no apply: everything is checked before anything starts, or fails at init/plan -----------------


@pytest.mark.parametrize(
    ("args", "code", "text"),
    [
        (["up", "/nonexistent"], 2, "no such directory"),
        (["up", "basci"], 2, "did you mean the example 'basic'"),
        (["up", "basic", "--var-file", "missing.tfvars"], 2, "no such file"),
        (["reach", "web-a", "99999"], 2, "outside 1-65535"),
        (["fail", "web-a", "--mode", "slow:abc"], 2, "expected unhealthy"),
        (["fail", "web-a", "--mode", "bogus"], 2, "expected unhealthy"),
        (["status"], 1, "nothing is up"),
        (["curl", "/"], 1, "nothing is up"),
    ],
)
def test_mistakes_start_nothing(env: Env, args: list[str], code: int, text: str) -> None:
    assert_message(alblab(env, *args), code, text)
    assert_clean(env)


@pytest.mark.parametrize("kind", ["syntax", "validation"])
def test_a_config_that_does_not_plan_is_one_down_from_clean(env: Env, tmp_path: Path, kind: str) -> None:
    config = broken_config(tmp_path, kind)
    words = "Invalid expression" if kind == "syntax" else "port must be 1-65535."
    for _ in range(2):  # a second up meets the same message, not a stale-state error
        assert_message(alblab(env, "up", str(config)), 1, words, HELP_DOWN)
    assert_message(alblab(env, "up", "basic"), 1, "is up; run 'alblab down' first, then 'alblab up basic'")
    assert_message(alblab(env, "down"), 0, "nothing is left")
    assert_clean(env)


# --- with applies: interrupts, dead parts, the emulator gone ------------------------------------------


class Up:
    """`alblab up` running in the background, its output read line by line as it comes."""

    def __init__(self, e: Env, *args: str) -> None:
        self.proc = subprocess.Popen(
            [*CLI, "up", *args],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=e.environ(),
        )  # fmt: skip
        self.lines: list[tuple[float, str]] = []
        self._seen = threading.Condition()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            with self._seen:
                self.lines.append((time.monotonic(), line.rstrip("\n")))
                self._seen.notify_all()

    def wait_for(self, text: str, timeout: float = 300) -> None:
        deadline = time.monotonic() + timeout
        with self._seen:
            while not self._has(text):
                assert self.proc.poll() is None, f"up exited before {text!r}:\n{self.output()}"
                remaining = deadline - time.monotonic()
                assert remaining > 0, f"{text!r} did not appear:\n{self.output()}"
                self._seen.wait(min(remaining, 1.0))

    def interrupt(self) -> float:
        """SIGINT (what Ctrl-C sends); returns how long until alblab said what is left and how to clean it."""
        t0 = time.monotonic()
        self.proc.send_signal(signal.SIGINT)
        self.wait_for(DOWN_HINT, timeout=60)
        said = next(t for t, line in self.lines if DOWN_HINT in line)
        return said - t0

    def interrupt_unless_done(self, timeout: float = 60) -> bool:
        """SIGINT; True once alblab said what is left (the Ctrl-C was taken), False when it ended without a
        word, having done its work before the Ctrl-C came (exit 0: a late Ctrl-C changes nothing)."""
        self.proc.send_signal(signal.SIGINT)
        deadline = time.monotonic() + timeout
        while True:
            with self._seen:
                if self._has(DOWN_HINT):
                    return True
                if self.proc.poll() is None:
                    assert time.monotonic() < deadline, f"no hint after the Ctrl-C:\n{self.output()}"
                    self._seen.wait(0.2)
                    continue
            self._reader.join(timeout=10)  # it has ended: its last lines
            if self._has(DOWN_HINT):
                return True
            assert self.proc.returncode == 0, f"rc {self.proc.returncode}:\n{self.output()}"
            return False

    def finish(self, timeout: float = 600) -> int:
        rc = self.proc.wait(timeout=timeout)
        self._reader.join(timeout=10)  # it has ended: its last lines
        return rc

    def _has(self, text: str) -> bool:
        return any(text in line for _t, line in self.lines)

    def output(self) -> str:
        return "\n".join(line for _t, line in self.lines)


@early("faults_ctrl_c", seconds=250)
def ctrl_c_at_each_point(ctx: JobContext) -> dict[str, Any]:
    with case_env(ctx.work_root / "faults-ctrl-c") as env:
        return ctrl_c_scenario(env)


@pytest.mark.apply
def test_ctrl_c_at_each_point_of_up_is_one_down_from_clean(jobs: Jobs) -> None:
    took = jobs.result("faults_ctrl_c")["took"]
    print(f"Ctrl-C to the clean-up hint: {took}")


@pytest.mark.apply
def test_up_converges_after_a_ctrl_c_in_the_albs_waiter(jobs: Jobs) -> None:
    """The Ctrl-C inside the aws_lb waiter leaves the ALB tainted while AWS goes on creating it. Replaced, it
    would be made again create-before-destroy under the same name (AWS hands back the same ALB, then deletes
    it as the old one; the emulator refuses the name): the next up keeps the ALB the API has instead, as
    ``terraform untaint`` would. Why AWS matters here: "This operation is idempotent", CreateLoadBalancer,
    https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_CreateLoadBalancer.html"""
    result = jobs.result("faults_ctrl_c")
    print(f"the Ctrl-C itself left the ALB tainted: {result['tainted_by_the_interrupt']}")
    rc, output = result["converged"]
    assert rc == 0, output
    assert "aws_lb.this: tainted by the interrupted apply, AWS has it (" in output, output
    assert "kept, untainted" in output


def ctrl_c_scenario(env: Env) -> dict[str, Any]:
    extra = [] if DATAPLANE else ["--no-dataplane"]
    took = {}
    # Early in the apply (little or nothing made yet), then inside the ALB's waiter (a partial state).
    for point in ("early in the apply", "in the ALB's waiter"):
        for attempt in range(1, 4):
            up = Up(env, "basic", *extra)
            up.wait_for("alblab: terraform apply ...")
            if point == "in the ALB's waiter":
                in_the_waiter(env)
            took[point] = up.interrupt()
            assert up.finish() == 130, up.output()
            assert "Traceback" not in up.output()
            assert "interrupted" in up.output()
            assert list(env.tmp.iterdir()) == [], "an interrupted up leaked temp files"
            # "Early" is before the ALB exists. On a loaded machine the Ctrl-C can reach Terraform after its
            # CreateLoadBalancer: the next up would then never wait in a waiter. That one is the other point's
            # case, so it starts again from clean.
            if point != "early in the apply" or attempt == 3 or not alb_made(env):
                break
            assert_message(alblab(env, "down"), 0, "nothing is left")
    assert all(t < 5 for t in took.values()), took  # the hint comes before Terraform finishes stopping
    tainted_by_the_interrupt = taint_the_alb(env)

    up = Up(env, "basic", *extra)
    converged = (up.finish(), up.output())  # judged by its own test (the partial state's convergence)
    assert "Traceback" not in converged[1]
    if DATAPLANE and converged[0] == 0:
        assert_message(alblab(env, "curl", "/"), 0, "HTTP/1.1 200")
        for _attempt in range(3):
            up = Up(env, "basic")
            up.wait_for("alblab: data plane ...")
            # The data plane's part of a second up takes a few tenths of a second: on a loaded machine the
            # Ctrl-C can come once the up has done its work. It is then ignored (exit 0, no hint): again.
            if up.interrupt_unless_done():
                break
        assert up.finish() == 130, up.output()
    prefixes = plane_prefixes(env.home)
    assert_message(alblab(env, "down"), 0, "nothing is left")
    assert_clean(env, prefixes)
    return {"took": took, "converged": converged, "tainted_by_the_interrupt": tainted_by_the_interrupt}


def taint_the_alb(e: Env, timeout: float = 300) -> bool:
    """Make sure the ALB is tainted in the state, as a Ctrl-C inside its waiter leaves it; returns whether
    the interrupt did so itself. Under load the Ctrl-C can land after the waiter returned (the ALB is then
    saved as made): the mark Terraform would have written is written here, once the Terraform the interrupt
    stopped has saved its state, so the next up always meets a tainted ALB the API has."""
    state_file = terraform_stopped(e, timeout) / "terraform.tfstate"
    state = json.loads(state_file.read_text())
    (alb,) = [r for r in state["resources"] if r["type"] == "aws_lb" and r["mode"] == "managed"]
    (instance,) = alb["instances"]
    if instance.get("status") == "tainted":
        return True
    instance["status"] = "tainted"
    state["serial"] += 1
    state_file.write_text(json.dumps(state, indent=2) + "\n")
    return False


def stack_elbv2(e: Env) -> Any:
    """ELBv2 in the stack's own emulated account (alblab.accounts)."""
    record = json.loads((e.home / "session.json").read_text())
    (stack,) = record["stacks"].values()
    return aws_clients(f"http://127.0.0.1:{record['emulator_port']}", access_key=stack["access_key"]).elbv2


def stack_workdir(e: Env) -> Path:
    """The one stack's work copy (its Terraform launcher is written before any Terraform runs)."""
    (launcher,) = (e.home / "work").glob("*/.alblab-terraform")
    return launcher.parent


def terraform_stopped(e: Env, timeout: float = 300) -> Path:
    """The stack's work copy, once the Terraform an interrupt stopped has saved its state and gone."""
    workdir = stack_workdir(e)
    deadline = time.monotonic() + timeout
    while running_pid(workdir) is not None:
        assert time.monotonic() < deadline, "the interrupted Terraform did not stop"
        time.sleep(0.2)
    return workdir


def alb_made(e: Env) -> bool:
    terraform_stopped(e)
    return bool(stack_elbv2(e).describe_load_balancers()["LoadBalancers"])


def in_the_waiter(e: Env, timeout: float = 300) -> None:
    """Return once the ALB's create has answered and the provider waits for it to become active: the API
    knows the ALB, and a few seconds have passed (its waiter idles 30 s before the first poll). A Ctrl-C
    while CreateLoadBalancer is in flight instead leaves an ALB no state knows, on AWS as here (the next
    apply meets "already exists"): not the point this case is about."""
    elbv2 = stack_elbv2(e)
    deadline = time.monotonic() + timeout
    while not elbv2.describe_load_balancers()["LoadBalancers"]:
        assert time.monotonic() < deadline, "the ALB was not created"
        time.sleep(0.5)
    time.sleep(5)


def process_of(e: Env, word: str) -> int:
    for pid in ours(e):
        try:
            if word.encode() in Path(f"/proc/{pid}/cmdline").read_bytes():
                return pid
        except OSError:
            continue
    raise AssertionError(f"no running {word} for this case")


@early("faults_dead_parts", seconds=110)
def dead_parts(ctx: JobContext) -> None:
    if not DATAPLANE:
        return
    with case_env(ctx.work_root / "faults-dead-parts") as env:
        dead_parts_scenario(env)


@pytest.mark.apply
@pytest.mark.dataplane
@pytest.mark.skipif(not DATAPLANE, reason=str(availability()))
def test_dead_parts_are_repaired_and_a_dead_emulator_is_one_down_from_clean(jobs: Jobs) -> None:
    jobs.result("faults_dead_parts")


def dead_parts_scenario(env: Env) -> None:
    assert_message(alblab(env, "up", "basic"), 0, "try 'alblab curl /'")
    # Arguments the data plane must refuse with a message.
    assert_message(alblab(env, "curl", "/", "--header", "no-colon"), 1, "no-colon")
    assert_message(alblab(env, "curl", "/", "--port", "443"), 1, "443")
    assert_message(alblab(env, "reach", "nosuch"), 1, "nosuch")
    assert_message(alblab(env, "reach", "web-a"), 0, "blocked")
    # A HAProxy node dies: status notices, restarts it, and does not crash; traffic flows again.
    os.kill(process_of(env, "haproxy"), signal.SIGKILL)
    assert_message(alblab(env, "status"), 0, "healthy")
    assert_message(alblab(env, "curl", "/"), 0, "HTTP/1.1 200")
    # A stand-in backend dies: repaired the same way.
    os.kill(process_of(env, "alblab.dataplane.backend"), signal.SIGKILL)
    assert_message(alblab(env, "status"), 0)
    for _ in range(4):
        assert_message(alblab(env, "curl", "/"), 0, "HTTP/1.1 200")
    # The emulator dies: every command says so and points at down; down cleans all of it.
    os.kill(process_of(env, "alblab.emulator_server"), signal.SIGKILL)
    assert_message(alblab(env, "status"), 1, "is gone", HELP_DOWN)
    prefixes = plane_prefixes(env.home)
    assert prefixes
    assert_message(alblab(env, "down"), 0, "nothing is left")
    assert_clean(env, prefixes)


# --- a damaged record: down finds what it started by the marks its processes carry ----------------------

TRUNCATED = b'{"aws": "emulator", "emulator_pid": 41'  # a write cut short
TERRAFORM = (shutil.which("terraform") or "terraform").encode()  # argv[0] of the launcher's Terraform


def assert_clean_but_the_kept_record(
    e: Env, prefixes: set[str], damaged: bytes, console: bytes | None = None
) -> None:
    """Nothing of the stack is left; the damaged records are kept aside for inspection, and only those."""
    assert ours(e) == [], f"processes left: {ours(e)}"
    left = {ns for ns in namespaces() for prefix in prefixes if ns.startswith(f"{prefix}-")}
    assert left == set(), f"namespaces left: {left}"
    (kept,) = e.home.glob("session.json.damaged-*")
    assert kept.read_bytes() == damaged
    names = [kept.name, "lock"]
    if console is not None:
        (kept_console,) = e.home.glob("console.json.damaged-*")
        assert kept_console.read_bytes() == console
        names.append(kept_console.name)
    assert sorted(p.name for p in e.home.iterdir()) == sorted(names)
    assert list(e.tmp.iterdir()) == [], f"temp files left: {list(e.tmp.iterdir())}"
    shutil.rmtree(e.home)


@early("faults_damaged_record", seconds=190)
def damaged_record(ctx: JobContext) -> None:
    with case_env(ctx.work_root / "faults-damaged") as env:
        damaged_record_scenario(env)


@pytest.mark.apply
def test_a_damaged_record_still_comes_down(jobs: Jobs) -> None:
    jobs.result("faults_damaged_record")


def damaged_record_scenario(env: Env) -> None:
    extra = [] if DATAPLANE else ["--no-dataplane"]
    assert_message(alblab(env, "up", "basic", *extra), 0)
    prefixes = plane_prefixes(env.home)
    assert_message(alblab(env, "console"), 0, "console: http://127.0.0.1:")
    assert ours(env), "nothing runs after up"
    # A truncated write of session.json, a disk that filled while plane.json was written, and a console
    # whose record is torn and whose ready file is gone: only the marks name what runs.
    (env.home / "session.json").write_bytes(TRUNCATED)
    for saved in env.home.glob("planes/*/plane.json"):
        saved.write_bytes(b"\0" * 64)
    (env.home / "console" / "console.json").write_bytes(TRUNCATED)
    (env.home / "console" / "ready.json").unlink()
    assert_message(alblab(env, "status"), 1, "is not valid JSON", "run 'alblab down'")
    down = alblab(env, "down")
    assert_message(
        down, 0, "session.json could not be read", "the AWS emulator", "the web console", "nothing is left"
    )
    if DATAPLANE:
        assert "data plane processes" in down.stdout, down.stdout
    assert_clean_but_the_kept_record(env, prefixes, TRUNCATED, console=TRUNCATED)


@early("faults_damaged_mid_apply", seconds=25)
def damaged_mid_apply(ctx: JobContext) -> None:
    with case_env(ctx.work_root / "faults-damaged-mid-apply") as env:
        damaged_mid_apply_scenario(env)


@pytest.mark.apply
def test_a_damaged_record_comes_down_while_terraform_still_applies(jobs: Jobs) -> None:
    jobs.result("faults_damaged_mid_apply")


def damaged_mid_apply_scenario(env: Env) -> None:
    up = Up(env, "basic", "--no-dataplane")
    up.wait_for("alblab: terraform apply ...")
    time.sleep(10)
    up.proc.kill()  # the CLI is gone; its Terraform (a session of its own) goes on applying
    up.finish()
    (terraform,) = [p for p in ours(env) if pids.cmdline(p)[:2] == [TERRAFORM, b"apply"]]
    # It goes on writing its progress after its reader died, and lives: it never writes into a pipe, which
    # would kill it with SIGPIPE before it saves what it created.
    events = events_path(stack_workdir(env), "apply")
    size, deadline = events.stat().st_size, time.monotonic() + 60
    while events.stat().st_size == size and pids.alive(terraform):
        assert time.monotonic() < deadline, "Terraform wrote nothing for 60 s"
        time.sleep(0.2)
    time.sleep(0.5)
    assert pids.alive(terraform), "Terraform died after its CLI was killed"
    garbage = b"\xff\xfe garbage \x00"
    (env.home / "session.json").write_bytes(garbage)
    down = alblab(env, "down")
    assert_message(down, 0, f"(pid {terraform}), found by", "the AWS emulator", "nothing is left")
    assert_clean_but_the_kept_record(env, set(), garbage)


@early("faults_damaged_lab", seconds=130)
def damaged_lab(ctx: JobContext) -> None:
    if not DATAPLANE:
        return
    with case_env(ctx.work_root / "faults-damaged-lab") as env:
        damaged_lab_scenario(env)


@pytest.mark.apply
@pytest.mark.dataplane
@pytest.mark.skipif(not DATAPLANE, reason=str(availability()))
def test_a_damaged_lab_state_still_comes_down(jobs: Jobs) -> None:
    jobs.result("faults_damaged_lab")


def damaged_lab_scenario(env: Env) -> None:
    lab_dir = env.home / "lab"
    lab = Env(env.home, env.tmp)
    lab_env = {**lab.environ(), "ALBLAB_LAB_DIR": str(lab_dir), "ALBLAB_LAB_PREFIX": LAB_PREFIX}

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [*CLI, "lab", *args], capture_output=True, text=True, env=lab_env, timeout=600, check=False
        )

    assert_message(run("start", "--name", "dmg"), 0, "Step 1")
    daemon = int((lab_dir / "daemon.pid").read_text())
    os.kill(daemon, signal.SIGKILL)  # the lab's background process dies; what it started runs on
    assert ours(env), "nothing of the lab runs"
    (lab_dir / "session.json").write_bytes(TRUNCATED)
    stop = run("stop")
    assert_message(stop, 0, "record could not be read", "the AWS emulator", "Lab stopped")
    assert ours(env) == [], f"processes left: {ours(env)}"
    assert [p for p in namespaces() if p.startswith(f"{LAB_PREFIX}-")] == []
    (kept,) = lab_dir.glob("session.json.damaged-*")
    assert kept.read_bytes() == TRUNCATED
    shutil.rmtree(env.home)
