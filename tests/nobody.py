"""Running something as an unprivileged user (nobody, uid 65534) from this suite, which runs as root: the
``setpriv`` prefix, and an interpreter that user may run with this suite's packages on its path (this
virtualenv's own interpreter may live under /root, out of nobody's reach)."""

from __future__ import annotations

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
