"""A damaged record still comes down: ``down`` without a readable session.json stops what carries this
state directory's mark (and nothing of another's), removes the work copies an emulator held, keeps a real-AWS
state it cannot destroy, and moves the damaged file aside. Fast cases, with stand-in processes; the real
stack through the real CLI is in test_faults.py."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from alblab import cli, consoles, pids, records, recovery
from alblab.basesource import base_of
from alblab.console.launch import open_console
from alblab.errors import StateError
from alblab.lab.engine import stop_lines
from alblab.session import SESSION_FILE, DownReport, Session
from alblab.terraform import PID_FILE
from alblab.workspace import OVERRIDE_FILE

DAMAGE = {
    "truncated": b'{"aws": "emulator", "emulator_pid": 4',
    "not text": b"\xff\xfe\x00garbage",
    "not a record": b"[1, 2]",
    "a record of another shape": json.dumps({"version": 1, "stacks": {"main": {"nope": 1}}}).encode(),
    "another version": json.dumps({"version": 99}).encode(),
}


@pytest.fixture
def started() -> Iterator[list[subprocess.Popen[bytes]]]:
    procs: list[subprocess.Popen[bytes]] = []
    yield procs
    for proc in procs:
        proc.kill()
        proc.wait()


def start(
    procs: list[subprocess.Popen[bytes]], home: Path, argv: list[str], cwd: Path | None = None
) -> subprocess.Popen[bytes]:
    env = {**os.environ, **records.mark(home)}
    proc = subprocess.Popen(argv, env=env, cwd=cwd, stdin=subprocess.DEVNULL)
    procs.append(proc)
    return proc


def start_terraform(
    procs: list[subprocess.Popen[bytes]], home: Path, cwd: Path, ignore_interrupt: bool = False
) -> subprocess.Popen[bytes]:
    """A process whose argv[0] is "terraform" (as the launcher's is) and that Ctrl-C stops, or not."""
    trap = "trap '' INT; " if ignore_interrupt else ""
    proc = start(procs, home, ["bash", "-c", f"{trap}exec -a terraform sleep 300"], cwd)
    deadline = time.monotonic() + 10
    while not pids.cmdline(proc.pid)[0].startswith(b"terraform"):  # until bash has exec'd
        assert time.monotonic() < deadline, pids.cmdline(proc.pid)
        time.sleep(0.01)
    return proc


def damaged_home(tmp_path: Path, damage: bytes = DAMAGE["truncated"]) -> Path:
    home = tmp_path / "home"
    home.mkdir()
    (home / SESSION_FILE).write_bytes(damage)
    return home


def gone(proc: subprocess.Popen[bytes]) -> bool:
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        return False
    return True


@pytest.mark.parametrize("kind", sorted(DAMAGE))
def test_a_damaged_record_is_one_message_that_points_at_down(
    tmp_path: Path, kind: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    home = damaged_home(tmp_path, DAMAGE[kind])
    with pytest.raises(StateError, match="run 'alblab down': it cleans up without the record"):
        Session(home)
    assert Session(home, recover=True).damaged
    monkeypatch.setenv(records.HOME_ENV, str(home))
    with pytest.raises(SystemExit) as info:
        cli.main(["status"])
    err = capsys.readouterr().err
    assert info.value.code == 1 and "alblab down" in err and "Traceback" not in err


def test_down_stops_only_this_homes_processes_and_keeps_the_damaged_file(
    tmp_path: Path, started: list[subprocess.Popen[bytes]]
) -> None:
    home = damaged_home(tmp_path)
    copy = home / "work" / "t1-basic"
    copy.mkdir(parents=True)
    (copy / OVERRIDE_FILE).write_text("# the emulator's\n")
    (home / "planes" / "t1-basic").mkdir(parents=True)
    (home / "planes" / "t1-basic" / "plane.json").write_text('{"prefix": "al12')  # damaged too
    ours = start(started, home, ["sleep", "300"])
    terraform = start_terraform(started, home, copy)
    other = start(started, tmp_path / "another-home", ["sleep", "300"])

    report = Session(home, recover=True).down()

    assert report.clean, report.problems
    assert gone(ours) and gone(terraform)
    assert terraform.returncode == -2  # one Ctrl-C, as Terraform is stopped everywhere: it saves its state
    assert other.poll() is None, "another state directory's process was stopped"
    assert not (home / "work").exists() and not (home / "planes").exists()
    assert not (home / SESSION_FILE).exists()
    kept = Path(report.set_aside)
    assert kept.parent == home and kept.name.startswith(f"{SESSION_FILE}.damaged-")
    assert kept.read_bytes() == DAMAGE["truncated"]
    said = "\n".join(report.done)
    assert f"the damaged file is kept as {kept}" in said
    assert f"sleep (pid {ours.pid})" in said and f"terraform (pid {terraform.pid})" in said


def test_terraform_on_real_aws_is_waited_for_and_its_state_kept(
    tmp_path: Path, started: list[subprocess.Popen[bytes]], monkeypatch: pytest.MonkeyPatch
) -> None:
    home = damaged_home(tmp_path)
    copy = home / "work" / "t1-mine"
    copy.mkdir(parents=True)
    vpc = {"mode": "managed", "type": "aws_vpc", "name": "x", "instances": [{}]}
    state = {"version": 4, "resources": [vpc]}
    (copy / "terraform.tfstate").write_text(json.dumps(state))
    monkeypatch.setattr(recovery, "TERRAFORM_STOP_S", 1.0)
    stubborn = start_terraform(started, home, copy, ignore_interrupt=True)
    emulator_like = start(started, home, ["sleep", "300"])

    report = Session(home, recover=True).down()

    assert not report.clean
    assert any(f"terraform (pid {stubborn.pid}, in {copy}) did not stop" in p for p in report.problems)
    # Terraform may still be saving its state: nothing it needs is stopped, nothing of it removed.
    assert stubborn.poll() is None and emulator_like.poll() is None
    assert (copy / "terraform.tfstate").is_file()

    stubborn.kill()
    stubborn.wait()
    again = Session(home, recover=True).down()
    assert gone(emulator_like)
    assert any("holds the Terraform state of 1 resources on real AWS" in p for p in again.problems)
    assert (copy / "terraform.tfstate").is_file()


def test_cli_down_says_what_it_did_without_the_record(
    tmp_path: Path,
    started: list[subprocess.Popen[bytes]],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    home = damaged_home(tmp_path, DAMAGE["not text"])
    proc = start(started, home, ["sleep", "300"])
    monkeypatch.setenv(records.HOME_ENV, str(home))
    with pytest.raises(SystemExit) as info:
        cli.main(["down"])
    out = capsys.readouterr().out
    assert info.value.code == 0, out
    assert gone(proc)
    assert "session.json could not be read" in out and f"sleep (pid {proc.pid})" in out
    assert "down: nothing is left (the damaged record stays in" in out
    (kept,) = home.glob(f"{SESSION_FILE}.damaged-*")
    assert sorted(p.name for p in home.iterdir()) == sorted([kept.name, records.LOCK_NAME])


def test_down_without_any_record_still_finds_marked_processes(
    tmp_path: Path,
    started: list[subprocess.Popen[bytes]],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    home = tmp_path / "home"
    home.mkdir()
    proc = start(started, home, ["sleep", "300"])  # session.json deleted by hand; the emulator still runs
    monkeypatch.setenv(records.HOME_ENV, str(home))
    with pytest.raises(SystemExit) as info:
        cli.main(["down"])
    assert info.value.code == 0
    assert gone(proc)
    assert "nothing is up" not in capsys.readouterr().out
    assert not home.exists()


def test_each_stack_gets_its_own_account(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    session = Session(tmp_path / "home")
    one = session.add_stack("one", "basic", prefix="t0001")
    two = session.add_stack("two", "basic", prefix="t0002")
    assert one.account != two.account
    assert one.access_key == f"AKIA{one.account}ALBL"
    saved = json.loads((tmp_path / "home" / SESSION_FILE).read_text())
    assert saved["stacks"]["two"]["access_key"] == two.access_key
    assert Session(tmp_path / "home").stack("two").account == two.account
    monkeypatch.delenv("CI", raising=False)
    real = Session(tmp_path / "real", aws="real").add_stack("r", "basic", prefix="t0003")
    assert real.record.access_key == "" and real.account == ""


def test_the_lab_says_what_it_found_without_its_record() -> None:
    report = DownReport(done=["stopped the AWS emulator (pid 7), found by this state directory's mark"])
    report.set_aside = "/lab/session.json.damaged-x"
    lines = stop_lines(report)
    assert "could not be read (kept as /lab/session.json.damaged-x)" in lines[0]
    assert "stopped the AWS emulator (pid 7)" in lines[1]
    assert lines[-1].startswith("Lab stopped")


def test_a_command_waits_for_the_terraform_an_interrupted_one_left_and_never_signals_it(
    tmp_path: Path, started: list[subprocess.Popen[bytes]]
) -> None:
    session = Session(tmp_path / "home")
    handle = session.add_stack("main", "basic", prefix="t0004")
    handle.workdir.mkdir(parents=True)
    # Still saving its state after the Ctrl-C of the command that started it: a second SIGINT would lose it.
    earlier = start_terraform(started, session.home, handle.workdir, ignore_interrupt=True)
    (handle.workdir / PID_FILE).write_text(f"{earlier.pid}\n")
    with pytest.raises(StateError, match=rf"\(pid {earlier.pid}\) of an earlier command still runs"):
        handle.wait_for_earlier_terraform(timeout=0.5)
    assert earlier.poll() is None
    killer = threading.Timer(1.0, earlier.terminate)
    start = time.monotonic()
    killer.start()
    handle.wait_for_earlier_terraform(timeout=30)  # returns once it has stopped
    waited = time.monotonic() - start
    # Seen stopped as it exits (its argv is gone before the kernel makes it a zombie): reap it, then check it
    # was the killer that ended it, after the wait began.
    assert earlier.wait(timeout=10) == -signal.SIGTERM
    assert waited >= 1.0, f"returned after {waited:.2f} s, before the earlier Terraform was stopped"


def test_the_console_carries_the_mark_and_comes_down_without_its_records(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    said: list[str] = []
    open_console(home, "main", out=said.append)
    record = consoles.read(home)
    assert record is not None and said[-1].startswith("console: http://127.0.0.1:")
    try:
        assert records.mark_entry(home) in pids.environ(record.pid)
        damaged = b'{"stack": "ma'
        (home / SESSION_FILE).write_bytes(DAMAGE["truncated"])
        (consoles.directory(home) / consoles.RECORD).write_bytes(damaged)
        (consoles.directory(home) / consoles.READY).unlink()  # nothing but the mark names it now

        report = Session(home, recover=True).down()

        assert report.clean, report.problems
        deadline = time.monotonic() + 10
        while pids.alive(record.pid) and time.monotonic() < deadline:  # its exit may still be under way
            time.sleep(0.01)
        assert not pids.alive(record.pid)
        found = f"stopped the web console (pid {record.pid}), found by this state directory's mark"
        assert found in report.done
        (kept,) = home.glob(f"{consoles.RECORD}.damaged-*")
        assert kept.read_bytes() == damaged
        assert not consoles.directory(home).exists()
    finally:
        if pids.alive(record.pid):
            os.kill(record.pid, signal.SIGKILL)


def test_the_base_of_a_change_check_is_written_by_git_and_tar_that_carry_the_mark(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = tmp_path / "repo"
    (repo / "infra").mkdir(parents=True)
    (repo / "infra" / "main.tf").write_text("# base\n")
    who = {f"GIT_{role}_{field}": value for role in ("AUTHOR", "COMMITTER")
           for field, value in (("NAME", "t"), ("EMAIL", "t@example.com"))}  # fmt: skip
    git_env = {**os.environ, **who, "GIT_CONFIG_GLOBAL": "/dev/null"}
    for args in (["init", "-q"], ["add", "-A"], ["commit", "-qm", "base"]):
        subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True, env=git_env)
    base = base_of("HEAD", repo / "infra")
    # Stand-ins in front of the real tools, saying which state directory's mark they were started with.
    tools = tmp_path / "bin"
    tools.mkdir()
    for tool in ("git", "tar"):
        real = shutil.which(tool)
        assert real is not None
        script = tools / tool
        seen = tmp_path / f"{tool}.seen"
        script.write_text(f'#!/bin/sh\necho "${{ALBLAB_STATE_DIR:-}}" >> {seen}\nexec {real} "$@"\n')
        script.chmod(0o755)
    monkeypatch.setenv("PATH", f"{tools}:{os.environ['PATH']}")
    home = tmp_path / "home"

    written = base.checkout(home / "work" / "base", env=records.mark(home))

    assert (written / "main.tf").read_text() == "# base\n"
    for tool in ("git", "tar"):
        assert (tmp_path / f"{tool}.seen").read_text().split() == [str(home.resolve())], tool
