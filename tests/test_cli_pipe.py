"""CLI output into a pipe that closes early (``alblab status | head -1``, ``| grep -m1``) ends quietly with
exit 0, as Unix tools do: the handling lives once, at the CLI's top level, for every command."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

# Any command: status is replaced by one that prints far more than a pipe buffer holds, so the writer is
# still writing when the reader is gone.
SCRIPT = """
import sys
from alblab import cli

def flood(*_args):
    for i in range(200_000):
        print(f"line {i}: listener HTTP:80 -> web (2 healthy)")
    return 0

cli.cmd_status = flood
cli.main(sys.argv[1:])
"""


@pytest.mark.parametrize("reader", ["head -1", "grep -m1 line"])
def test_output_into_a_closed_pipe_ends_quietly_with_exit_0(reader: str, tmp_path: object) -> None:
    env = {**os.environ, "ALBLAB_HOME": str(tmp_path)}
    proc = subprocess.run(
        ["bash", "-c", f'set -o pipefail; "$0" -c "$1" status | {reader}', sys.executable, SCRIPT],
        capture_output=True, text=True, env=env, timeout=60, check=False,
    )  # fmt: skip
    assert proc.stdout == "line 0: listener HTTP:80 -> web (2 healthy)\n"
    assert proc.stderr == ""
    assert proc.returncode == 0
