"""Crash safety: whatever step an up() dies at (SIGKILL, Ctrl-C), one teardown_saved() removes everything,
and it is idempotent; a dead rootless holder or missing files do not stop it."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from plane_factories import assert_torn_down, processes_naming, stack

from alblab.dataplane import DataPlane, availability, teardown_saved
from alblab.dataplane.procs import alive, marked

pytestmark = [
    pytest.mark.dataplane,
    pytest.mark.skipif(availability() is not None, reason=str(availability())),
]
SCRIPT = Path(__file__).with_name("plane_script.py")
STEPS = ["namespaces:", "network + security", "stand-in backends", "HAProxy ALB nodes", "data plane up"]


def namespaces(prefix: str) -> list[str]:
    out = subprocess.run(["ip", "netns", "list"], capture_output=True, text=True, check=False).stdout
    return [line.split()[0] for line in out.splitlines() if line.startswith(f"{prefix}-")]


def run_script(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(SCRIPT), *args], capture_output=True, text=True, timeout=60, check=False
    )


def assert_nothing_left(run_dir: Path, saved: dict[str, object]) -> None:
    prefix, marker = str(saved["prefix"]), str(saved["marker"])
    assert marked(marker) == [], "a process of the plane is still running"
    holder = saved.get("holder")
    assert not (holder and alive(int(holder["pid"]))), "the holder is still running"  # type: ignore[index]
    if saved["mode"] == "root":
        assert namespaces(prefix) == []
    assert not Path(str(saved["sock_dir"])).exists()
    assert processes_naming([str(run_dir), str(saved["sock_dir"])]) == []
    assert not (run_dir / "plane.json").exists()


@pytest.mark.parametrize("step", STEPS)
def test_sigkill_during_up_then_one_teardown_cleans(tmp_path: Path, step: str) -> None:
    run_dir = tmp_path / "plane"
    proc = run_script("crash", str(run_dir), step)
    assert proc.returncode == -signal.SIGKILL, proc.stdout + proc.stderr
    saved = json.loads((run_dir / "plane.json").read_text())
    assert teardown_saved(run_dir) == saved["prefix"]
    assert_nothing_left(run_dir, saved)
    assert teardown_saved(run_dir) is None  # idempotent


@pytest.mark.parametrize("step", STEPS[1:4])
def test_ctrl_c_during_up_leaves_nothing(tmp_path: Path, step: str) -> None:
    run_dir = tmp_path / "plane"
    proc = run_script("interrupt", str(run_dir), step)
    assert proc.returncode != 0 and "KeyboardInterrupt" in proc.stderr
    assert not (run_dir / "plane.json").exists()
    assert processes_naming([str(run_dir)]) == []


def test_teardown_without_saved_state_is_a_no_op(tmp_path: Path) -> None:
    assert teardown_saved(tmp_path / "never-made") is None
    assert teardown_saved(tmp_path) is None


def test_teardown_with_holder_or_files_gone(tmp_path: Path) -> None:
    plane = DataPlane(stack(), tmp_path / "plane", connect_timeout_s=1.0).up(persist=True)
    saved = json.loads((plane.run_dir / "plane.json").read_text())
    pids = list(plane.processes.values())
    if plane.mode == "rootless":
        os.kill(plane.processes["holder"], signal.SIGKILL)  # every namespace is unreachable by name now
    for log in plane.run_dir.glob("*.log"):
        log.unlink()
    assert teardown_saved(plane.run_dir) == plane.prefix
    assert_nothing_left(plane.run_dir, saved)
    assert_torn_down(plane, pids)


def test_up_again_in_the_same_run_dir_replaces_the_old_plane(tmp_path: Path) -> None:
    first = DataPlane(stack(), tmp_path / "plane", connect_timeout_s=1.0).up(persist=True)
    old = json.loads((first.run_dir / "plane.json").read_text())
    messages: list[str] = []
    second = DataPlane(stack(), first.run_dir, connect_timeout_s=1.0, progress=messages.append).up()
    try:
        assert any(first.prefix in m and "removed" in m for m in messages), messages
        assert marked(str(old["marker"])) == []
        assert second.curl("/").status == 200
    finally:
        pids = list(second.processes.values())
        second.down()
    assert_torn_down(second, pids)
