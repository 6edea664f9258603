"""A Ctrl-C while a command runs is exit 130 and one message; once the command has ended, while the
interpreter exits (it joins threads, closes clients), a Ctrl-C changes nothing. Before, it raised a
KeyboardInterrupt where nothing caught it: a traceback, or the process died of SIGINT whatever the command
had done (the fault matrix under load: a second `up` Ctrl-C'd as it finished ended -2 instead of 0 or 130)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

# cmd_status replaced: a command that does its work while the Ctrl-C comes, or one that leaves a thread
# behind which the interpreter waits for at exit, and which is there when the Ctrl-C comes.
SCRIPT = """
import os, signal, sys, threading, time
from alblab import cli

def during(*_args):
    os.kill(os.getpid(), signal.SIGINT)
    time.sleep(5)
    return 0

def after(*_args):
    def late():
        threading.main_thread().join()  # the command has returned; the interpreter is exiting
        os.kill(os.getpid(), signal.SIGINT)
        time.sleep(0.5)
    threading.Thread(target=late).start()
    print("done")
    return 0

cli.cmd_status = during if sys.argv[1] == "during" else after
sys.argv = ["alblab", "status"]
cli.main()  # as the `alblab` script calls it
"""


def run(when: str, home: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", SCRIPT, when], capture_output=True, text=True, timeout=60, check=False,
        env={**os.environ, "ALBLAB_HOME": str(home)},
    )  # fmt: skip


def test_a_ctrl_c_during_a_command_is_130_and_one_message(tmp_path: Path) -> None:
    proc = run("during", tmp_path)
    assert proc.returncode == 130, proc.stderr
    assert "alblab: interrupted; nothing was left running." in proc.stderr
    assert "Traceback" not in proc.stderr


def test_a_ctrl_c_once_the_command_has_ended_changes_nothing(tmp_path: Path) -> None:
    proc = run("after", tmp_path)
    assert (proc.returncode, proc.stdout, proc.stderr) == (0, "done\n", "")


def test_a_caller_that_passes_arguments_keeps_its_own_ctrl_c(tmp_path: Path) -> None:
    """The suite calls ``cli.main([...])`` in its own process: ignoring SIGINT there would pass the ignore on
    to every process it starts afterwards (a Terraform the recovery test must stop with one Ctrl-C)."""
    import signal

    from alblab import cli

    before = signal.getsignal(signal.SIGINT)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("ALBLAB_HOME", str(tmp_path))
        with pytest.raises(SystemExit):
            cli.main(["down"])
    assert signal.getsignal(signal.SIGINT) is before
