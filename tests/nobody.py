"""Running something as an unprivileged user (nobody, uid 65534) from this suite, which runs as root: the
``setpriv`` prefix, and an interpreter that user may run with this suite's packages on its path (this
virtualenv's own interpreter may live under /root, out of nobody's reach)."""

from __future__ import annotations

import functools
import os
import subprocess
import sys
import sysconfig
from collections.abc import Callable
from pathlib import Path
from typing import Any

NOBODY = 65534
AS_NOBODY = ["setpriv", f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups"]
REPO = Path(__file__).resolve().parents[1]


def packages_path() -> str:
    """The repository and this interpreter's packages, for another interpreter of this version to import."""
    return os.pathsep.join([str(REPO), sysconfig.get_paths()["purelib"]])


def usable_python(run: Callable[[list[str]], subprocess.CompletedProcess[Any]], code: str) -> str | None:
    """The first interpreter of this version that runs ``code`` when ``run`` (an argv, as nobody) starts it;
    None when none does."""
    version = f"{sys.version_info.major}.{sys.version_info.minor}"
    for exe in dict.fromkeys([sys.executable, os.path.realpath(sys.executable), f"/usr/bin/python{version}"]):
        # Through sh: setpriv itself may reach an interpreter that a process of nobody cannot exec.
        if run(["sh", "-c", f"exec {exe} -c '{code}'"]).returncode == 0:
            return exe
    return None


def env_for_nobody(**extra: str) -> dict[str, str]:
    return {"PATH": os.environ.get("PATH", ""), "PYTHONPATH": packages_path(), "HOME": "/", **extra}


@functools.cache
def python_for_nobody() -> str | None:
    """An interpreter nobody may run that imports alblab with ``env_for_nobody()``; None when there is none
    (e.g. a checkout in a directory closed to other users, as ``mktemp -d`` makes). Asked once."""

    def run(argv: list[str]) -> subprocess.CompletedProcess[bytes]:
        return subprocess.run(
            [*AS_NOBODY, *argv], capture_output=True, check=False, cwd="/", env=env_for_nobody()
        )

    return usable_python(run, "import alblab")


def nobody_python_or_skip() -> str:
    python = python_for_nobody()
    if python is None:
        import pytest

        pytest.skip(
            f"no python that uid {NOBODY} can run and import alblab with (is {REPO} readable by others?)"
        )
    return python
