"""Where a change starts from (``alblab check DIR --base BASE``): a directory, or a git ref of the repository
that holds DIR, checked out with ``git archive`` into a directory the caller owns (the user's repository and
its work trees are never touched), at the same path relative to the repository's top.

``base_of`` validates before anything starts (a typo costs one line, exit 2); ``BaseRef.checkout`` writes the
tree.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from alblab.errors import UsageError
from alblab.sources import resolve_source

GIT_TIMEOUT_S = 120


@dataclass(frozen=True)
class BaseRef:
    """``text`` as the user gave it; a directory (``commit`` empty) or a commit of ``repo``."""

    text: str
    directory: Path | None = None
    repo: Path | None = None
    commit: str = ""
    relative: Path = Path(".")

    @property
    def label(self) -> str:
        return str(self.directory) if self.directory else f"{self.text} ({self.commit[:12]})"

    def checkout(self, into: Path, env: dict[str, str] | None = None) -> Path:
        """The base configuration's directory: the directory itself, or the commit's tree written below
        ``into`` (which is replaced), then the same relative path inside it. ``env`` is added to the
        environment of git and tar (a state directory's mark: ``alblab down`` finds them by it)."""
        if self.directory is not None:
            return self.directory
        assert self.repo is not None
        if into.exists():
            shutil.rmtree(into)
        into.mkdir(parents=True)
        run_env = {**os.environ, **(env or {})}
        archive = subprocess.Popen(
            [_git(), "-C", str(self.repo), "archive", "--format=tar", self.commit],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=run_env,
        )
        assert archive.stdout is not None
        # GNU tar refuses members with ".." and strips leading "/": the tree stays inside ``into``.
        untar = subprocess.run(
            ["tar", "-x", "-C", str(into)],
            stdin=archive.stdout,
            capture_output=True,
            timeout=GIT_TIMEOUT_S,
            check=False,
            env=run_env,
        )
        archive.stdout.close()
        _, err = archive.communicate(timeout=GIT_TIMEOUT_S)
        if archive.returncode != 0 or untar.returncode != 0:
            why = (err.decode(errors="replace") or untar.stderr.decode(errors="replace")).strip()
            raise UsageError(f"--base {self.text}: git archive of {self.commit[:12]} failed: {why}")
        directory = into / self.relative
        if not directory.is_dir() or not (any(directory.glob("*.tf")) or any(directory.glob("*.tf.json"))):
            raise UsageError(
                f"--base {self.text}: {self.relative} holds no Terraform configuration at {self.commit[:12]}"
            )
        return directory


def _git() -> str:
    git = shutil.which("git")
    if git is None:
        raise UsageError("--base names a git ref, but git is not installed")
    return git


def _run_git(repo: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [_git(), "-C", str(repo), *args], capture_output=True, text=True, timeout=GIT_TIMEOUT_S, check=False
    )


def base_of(text: str, source: Path) -> BaseRef:
    """The base ``text`` names for the configuration in ``source``: a directory holding a configuration, else
    a git ref of the repository that holds ``source``; else a ``UsageError`` saying which it is not."""
    if not text.strip():
        raise UsageError("--base needs a directory or a git ref")
    path = Path(text).expanduser()
    if path.is_dir():
        return BaseRef(text, directory=resolve_source(path))
    top = _run_git(source, "rev-parse", "--show-toplevel")
    if top.returncode != 0:
        raise UsageError(f"--base {text}: no such directory, and {source} is not in a git repository")
    repo = Path(top.stdout.strip()).resolve()
    commit = _run_git(repo, "rev-parse", "--verify", "--quiet", "--end-of-options", f"{text}^{{commit}}")
    if commit.returncode != 0 or not commit.stdout.strip():
        raise UsageError(f"--base {text}: no such directory, and not a git ref of the repository at {repo}")
    try:
        relative = source.resolve().relative_to(repo)
    except ValueError:
        raise UsageError(f"--base {text}: {source} is outside the repository at {repo}") from None
    return BaseRef(text, repo=repo, commit=commit.stdout.strip(), relative=relative)
