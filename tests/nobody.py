"""Running something as an unprivileged user (nobody, uid 65534) from this suite, which runs as root: the
``setpriv`` prefix, and what that user needs to read — the repository, this suite's packages and an
interpreter of this version.

A clone may sit where other users cannot look (``mktemp -d`` makes its directory 0700), and this
virtualenv's interpreter may live under /root. Then ``readable()`` makes, once per test session, a tree
under a 0755 temporary directory that nobody may read: the repository's files, this interpreter's packages
and, when no interpreter of this version is runnable by nobody, this one's installation. Its files are hard
links where the file system allows (no copying of data; a copy otherwise); it is removed when the session
ends. Where nobody may read the originals, they are used as they are.
"""

from __future__ import annotations

import atexit
import functools
import os
import shutil
import subprocess
import sys
import sysconfig
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

NOBODY = 65534
AS_NOBODY = ["setpriv", f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups"]
REPO = Path(__file__).resolve().parents[1]
VERSION = f"{sys.version_info.major}.{sys.version_info.minor}"
# Not needed by nobody, and large or private: virtualenvs, caches, work dirs, git's objects.
SKIP = shutil.ignore_patterns(
    ".git",
    ".venv*",
    ".work",
    "__pycache__",
    ".terraform",
    ".pytest_cache",
    ".ruff_cache",
    "build",
    "*.egg-info",
)


@dataclass(frozen=True)
class Readable:
    """Where nobody finds the repository, this suite's packages and, when needed, an interpreter."""

    repo: Path
    site: Path
    python_home: Path | None = None  # an interpreter installation made readable; None: use the system's

    def path(self, inside_repo: Path) -> Path:
        """Where nobody reads ``inside_repo`` (a path in this checkout)."""
        return self.repo / Path(inside_repo).resolve().relative_to(REPO)

    def packages_path(self) -> str:
        return os.pathsep.join([str(self.repo), str(self.site)])

    def interpreters(self) -> list[str]:
        candidates = [sys.executable, os.path.realpath(sys.executable), f"/usr/bin/python{VERSION}"]
        if self.python_home is not None:
            candidates.insert(0, str(self.python_home / "bin" / f"python{VERSION}"))
        return list(dict.fromkeys(candidates))


def _link(src: str, dst: str) -> None:
    try:
        os.link(src, dst)
    except OSError:  # another file system, or links refused: a copy
        shutil.copy2(src, dst)


def _mirror(src: Path, dst: Path) -> None:
    shutil.copytree(src, dst, symlinks=True, ignore=SKIP, copy_function=_link)
    for root, dirs, _files in os.walk(dst):
        for name in dirs:
            path = Path(root) / name
            if not path.is_symlink():
                path.chmod(path.stat().st_mode | 0o555)
    dst.chmod(dst.stat().st_mode | 0o555)


def _runs(python: str, tree: Readable) -> bool:
    """Does ``python``, started as nobody, import alblab from ``tree``?"""
    env = {"PATH": os.environ.get("PATH", ""), "PYTHONPATH": tree.packages_path(), "HOME": "/"}
    # Through sh: setpriv itself may reach an interpreter that a process of nobody cannot exec.
    argv = [*AS_NOBODY, "sh", "-c", f"exec {python} -c 'import alblab'"]
    return subprocess.run(argv, capture_output=True, check=False, cwd="/", env=env).returncode == 0


@functools.cache
def readable() -> Readable:
    """The originals when nobody may read them; else the readable tree, made once (see the module doc)."""
    direct = Readable(REPO, Path(sysconfig.get_paths()["purelib"]))
    if os.geteuid() != 0 or shutil.which("setpriv") is None:
        return direct  # nobody cannot be run from here: the tests that would skip first
    if any(_runs(python, direct) for python in direct.interpreters()):
        return direct
    base = Path(tempfile.mkdtemp(prefix="alblab-nobody-"))
    atexit.register(shutil.rmtree, base, True)
    base.chmod(0o755)
    _mirror(direct.repo, base / "repo")
    _mirror(direct.site, base / "site")
    tree = Readable(base / "repo", base / "site")
    if any(_runs(python, tree) for python in tree.interpreters()):
        return tree
    # No interpreter of this version that nobody may run (e.g. only one under /root): this one, made readable.
    home = base / "python"
    for part in ("bin", "lib"):
        _mirror(Path(sys.base_prefix) / part, home / part)
    return Readable(tree.repo, tree.site, home)


def packages_path() -> str:
    """The repository and this interpreter's packages, for another interpreter of this version to import."""
    return readable().packages_path()


def usable_python(run: Callable[[list[str]], subprocess.CompletedProcess[Any]], code: str) -> str | None:
    """The first interpreter of this version that runs ``code`` when ``run`` (an argv, as nobody) starts it;
    None when none does."""
    for exe in readable().interpreters():
        if run(["sh", "-c", f"exec {exe} -c '{code}'"]).returncode == 0:
            return exe
    return None


def env_for_nobody(**extra: str) -> dict[str, str]:
    return {"PATH": os.environ.get("PATH", ""), "PYTHONPATH": packages_path(), "HOME": "/", **extra}


@functools.cache
def python_for_nobody() -> str | None:
    """An interpreter nobody may run that imports alblab with ``env_for_nobody()``; None only when even the
    readable tree does not give one. Asked once."""

    def run(argv: list[str]) -> subprocess.CompletedProcess[bytes]:
        return subprocess.run(
            [*AS_NOBODY, *argv], capture_output=True, check=False, cwd="/", env=env_for_nobody()
        )

    return usable_python(run, "import alblab")


def nobody_python_or_skip() -> str:
    python = python_for_nobody()
    if python is None:
        import pytest

        pytest.skip(f"no python {VERSION} that uid {NOBODY} can run and import alblab with, even from a copy")
    return python
