"""Canary for python-terraform on Terraform 1.x: each workaround in alblab.terraform, and the breakage it
works around, pinned on a provider-less config (terraform_data), so a changed package fails here first."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from python_terraform import IsFlagged, Terraform

from alblab.terraform import TerraformError, TerraformRunner
from alblab.tfconfig import cli_config_env

CONFIG = """
variable "word" {
  type    = string
  default = "hello"
}

resource "terraform_data" "echo" {
  input = var.word
}

output "echo" {
  value = terraform_data.echo.output
}

output "shape" {
  value = { list = [1, 2], word = var.word }
}
"""


@pytest.fixture(scope="module")
def tf_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("adapter")
    (path / "main.tf").write_text(CONFIG)
    return path


@pytest.fixture(scope="module")
def runner(tf_dir: Path) -> TerraformRunner:
    env = cli_config_env(tf_dir.parent / "tfrc")
    runner = TerraformRunner(tf_dir, env, {"word": "canary"})
    runner.init()
    return runner


def test_raw_package_still_has_the_known_breakages(tf_dir: Path, runner: TerraformRunner) -> None:
    raw = Terraform(working_dir=str(tf_dir), terraform_bin_path=runner._tf.terraform_bin_path)
    # destroy() still sends -force, which Terraform 1.x rejects.
    assert "-force" in raw.generate_cmd_string("destroy", force=IsFlagged)
    # apply() without skip_plan asks for approval on a closed stdin.
    rc, _out, err = raw.apply(var={"word": "x"})
    assert rc != 0
    assert "approv" in err.lower() or "eof" in err.lower()
    # plan() adds -detailed-exitcode unless told not to.
    assert "-detailed-exitcode" in raw.generate_cmd_string("plan", detailed_exitcode=IsFlagged)
    # synchronous=False (a command read while it runs) becomes a flag Terraform does not know.
    assert "-synchronous=false" in raw.generate_cmd_string("destroy", synchronous=False)


def test_plan_apply_outputs_replan_destroy(tf_dir: Path, runner: TerraformRunner) -> None:
    planfile = tf_dir / "canary.tfplan"
    runner.plan(out=planfile)
    plan = runner.show_json(planfile)
    changes = {rc["address"]: rc["change"]["actions"] for rc in plan["resource_changes"]}
    assert changes == {"terraform_data.echo": ["create"]}
    runner.apply(planfile=planfile)
    outputs = runner.outputs()
    assert outputs["echo"] == "canary"
    assert outputs["shape"] == {"list": [1, 2], "word": "canary"}
    # The package's own output(name) cannot read Terraform 1.x JSON: why outputs() reads output() whole.
    with pytest.raises((TypeError, KeyError)):
        runner._tf.output("echo")
    assert runner.plan_exitcode() == 0
    runner.destroy()
    assert runner.state_json().get("values") is None


def test_apply_without_plan_file_and_changed_variables(tf_dir: Path, runner: TerraformRunner) -> None:
    runner.apply(variables={"word": "second"})
    assert runner.outputs()["echo"] == "second"
    # The constructor's variables differ from what is applied now: a plan must show changes.
    assert runner.plan_exitcode() == 2
    assert runner.plan_changes() == ["update terraform_data.echo"]
    runner.destroy()


def test_errors_raise_with_terraform_text(tf_dir: Path) -> None:
    broken = tf_dir.parent / "broken"
    broken.mkdir(exist_ok=True)
    (broken / "main.tf").write_text('resource "terraform_data" "x" {\n  input = var.missing\n}\n')
    bad = TerraformRunner(broken, cli_config_env(tf_dir.parent / "tfrc"))
    bad.init()
    with pytest.raises(TerraformError) as info:
        bad.plan(out=broken / "p.tfplan")
    assert info.value.command == "plan"
    assert "var.missing" in str(info.value) or "undeclared" in str(info.value).lower()


@pytest.mark.parametrize("state", ["", '{"version": 4, "resources": [{"mo'], ids=["empty", "torn"])
def test_a_torn_or_empty_state_file_never_reaches_python_terraform(tf_dir: Path, state: str) -> None:
    """Terraform creates terraform.tfstate empty to lock it (an apply interrupted that early leaves it so); a
    write cut short tears it. The package json.loads it on construction and after each command."""
    work = tf_dir.parent / f"state-{'torn' if state else 'empty'}"
    work.mkdir()
    (work / "main.tf").write_text(CONFIG)
    (work / "terraform.tfstate").write_text(state)
    with pytest.raises(json.JSONDecodeError):
        Terraform(working_dir=str(work))
    runner = TerraformRunner(work, cli_config_env(tf_dir.parent / "tfrc"), {"word": "state"})
    if state:  # Terraform's own message, from its first command on
        with pytest.raises(TerraformError, match="state file could not be parsed"):
            runner.init()
        return
    runner.init()
    runner.apply()  # Terraform reads an empty file as no state
    assert runner.outputs()["echo"] == "state"
    runner.destroy()


def test_launcher_sets_the_environment_per_runner(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text('output "env" {\n  value = "x"\n}\n')
    runner = TerraformRunner(tmp_path, {"ALBLAB_CANARY": "it's here"})
    launcher = Path(runner._tf.terraform_bin_path).read_text()
    assert "export ALBLAB_CANARY='it'\"'\"'s here'" in launcher


def test_apply_events_give_a_timeline_and_the_failing_resource(tmp_path: Path) -> None:
    """``apply -json`` through the package: per-resource start and end, and on failure the diagnostics with
    the events kept on the error (what the change check reads)."""
    from alblab import tfevents

    (tmp_path / "main.tf").write_text(
        'variable "fail" {\n  type    = bool\n  default = false\n}\n'
        'resource "terraform_data" "one" {\n  input = "a"\n}\n'
        'resource "terraform_data" "two" {\n  input            = terraform_data.one.output\n'
        "  triggers_replace = var.fail\n"
        '  provisioner "local-exec" {\n'
        '    command = var.fail ? "echo two refused. >&2; exit 3" : "true"\n  }\n}\n'
    )
    runner = TerraformRunner(tmp_path, cli_config_env(tmp_path.parent / "tfrc-events"))
    runner.init()
    ops = tfevents.operations(runner.apply_events())
    assert [(op.describe(), op.outcome) for op in ops] == [
        ("create terraform_data.one", "done"),
        ("create terraform_data.two", "done"),
    ]
    assert all(op.end is not None and op.end >= op.start for op in ops)
    runner.variables = {"fail": True}
    with pytest.raises(TerraformError) as info:
        runner.apply_events()
    assert "two refused." in str(info.value)
    (failure,) = tfevents.failures(info.value.events)
    assert failure.address == "terraform_data.two" and "two refused." in failure.describe()
    # The JSON diagnostics read as the human output: one finding naming the resource and where it is declared.
    (finding,) = info.value.failures()
    assert finding.startswith("terraform_data.two (main.tf line ") and "two refused." in finding
    runner.destroy()


def test_destroy_hands_over_each_event_as_it_comes(tmp_path: Path) -> None:
    """``destroy(on_event=...)`` sees each resource's end while Terraform still runs (the leak check looks it
    up then); an ``on_event`` that fails stops nothing, its error comes once Terraform has ended."""
    (tmp_path / "main.tf").write_text(
        'resource "terraform_data" "one" {\n  input = "a"\n}\n'
        'resource "terraform_data" "two" {\n  input = terraform_data.one.output\n}\n'
    )
    runner = TerraformRunner(tmp_path, cli_config_env(tmp_path.parent / "tfrc-destroy"))
    runner.init()
    runner.apply()
    seen: list[str] = []

    def gone(event: dict[str, object]) -> None:
        hook = event.get("hook")
        if event.get("type") == "apply_complete" and isinstance(hook, dict):
            seen.append(f"{hook['action']} {hook['resource']['addr']}")

    events = runner.destroy(refresh=False, on_event=gone)
    # Destroyed against the dependency order: two (which depends on one) first.
    assert seen == ["delete terraform_data.two", "delete terraform_data.one"]
    assert any(e.get("type") == "change_summary" for e in events)
    runner.apply()

    def refuse(event: dict[str, object]) -> None:
        raise RuntimeError("the caller broke")

    with pytest.raises(RuntimeError, match="the caller broke"):
        runner.destroy(on_event=refuse)
    assert runner.state_json().get("values") is None  # Terraform finished the destroy all the same


def test_an_apply_outlives_the_process_that_started_it(tmp_path: Path) -> None:
    """The CLI killed mid-apply (SIGKILL, a closed terminal): its Terraform goes on, writes its progress with
    nobody reading, and saves everything it created. Through a pipe it would die of SIGPIPE at its next line
    and the state would lose what the provider had made."""
    import os
    import signal
    import subprocess
    import sys
    import time

    from alblab import pids
    from alblab.terraform import running_pid

    (tmp_path / "main.tf").write_text(
        'resource "terraform_data" "slow" {\n  input = "a"\n'
        '  provisioner "local-exec" {\n    command = "sleep 3; echo still here"\n  }\n}\n'
        'resource "terraform_data" "after" {\n  input = terraform_data.slow.output\n}\n'
    )
    env = cli_config_env(tmp_path.parent / "tfrc-outlive")
    TerraformRunner(tmp_path, env).init()
    child = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys; from pathlib import Path; from alblab.terraform import TerraformRunner; "
            "TerraformRunner(Path(sys.argv[1]), {}).apply()",
            str(tmp_path),
        ],
        env={**os.environ, **env},
    )
    deadline = time.monotonic() + 60
    while (terraform := running_pid(tmp_path)) is None:
        assert child.poll() is None and time.monotonic() < deadline, "Terraform did not start"
        time.sleep(0.05)
    time.sleep(1)  # inside the provisioner's sleep: its output and the second resource are still to come
    child.send_signal(signal.SIGKILL)
    child.wait()
    while pids.alive(terraform):
        assert time.monotonic() < deadline + 60, "Terraform did not finish"
        time.sleep(0.1)
    state = json.loads((tmp_path / "terraform.tfstate").read_text())
    assert sorted(r["name"] for r in state["resources"]) == ["after", "slow"]


def test_a_launcher_held_open_for_writing_is_started_once_it_is_free(tmp_path: Path) -> None:
    """Linux refuses to execute a file open for writing (ETXTBSY). A process another thread forks just as
    the launcher is written holds it so until that process execs; the start is retried meanwhile."""
    import subprocess
    import sys

    (tmp_path / "main.tf").write_text('output "x" {\n  value = 1\n}\n')
    runner = TerraformRunner(tmp_path, cli_config_env(tmp_path.parent / "tfrc-busy"))
    launcher = runner._tf.terraform_bin_path
    hold = "import sys, time; f = open(sys.argv[1], 'a'); print(1, flush=True); time.sleep(1)"
    holder = subprocess.Popen([sys.executable, "-c", hold, launcher], stdout=subprocess.PIPE)
    assert holder.stdout is not None and holder.stdout.readline() == b"1\n"
    with pytest.raises(OSError) as busy:
        subprocess.run([launcher, "version"], check=False, capture_output=True)
    assert busy.value.errno == 26  # ETXTBSY: what an unretried start meets
    runner.init()  # retried until the holder has let go
    holder.wait()


def test_a_pid_file_names_a_terraform_only_while_it_runs_in_that_work_copy(tmp_path: Path) -> None:
    """PIDs come round again (32768 by default, and a suite starts many thousands of processes): the PID file
    of a Terraform that ended can name another stack's Terraform, which a Ctrl-C here must not stop."""
    import shutil
    import subprocess

    from alblab.terraform import PID_FILE, running_pid

    fake = tmp_path / "bin" / "terraform"  # argv[0] ends in "terraform", as a real one's does
    fake.parent.mkdir()
    fake.symlink_to(shutil.which("sleep") or "/bin/sleep")
    ours, elsewhere = tmp_path / "ours", tmp_path / "another-stack"
    ours.mkdir()
    elsewhere.mkdir()
    procs = {where: subprocess.Popen([str(fake), "60"], cwd=where) for where in (ours, elsewhere)}
    try:
        (ours / PID_FILE).write_text(f"{procs[elsewhere].pid}\n")
        assert running_pid(ours) is None
        (ours / PID_FILE).write_text(f"{procs[ours].pid}\n")
        assert running_pid(ours) == procs[ours].pid
    finally:
        for proc in procs.values():
            proc.kill()
            proc.wait()
    assert running_pid(ours) is None
