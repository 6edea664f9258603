"""The lab test: replays every runnable block of docs/lab/README.md against the real lab and compares.

Each command runs as the docs write it — ``source .venv/bin/activate``, then the line — in a shell of its
own, once as root (this suite's virtualenv) and once as an unprivileged user (rootless data plane; their own
virtualenv over this suite's packages, since this one's interpreter may live under /root). Both walks compare
against the same expected outputs. With ``ALBLAB_LAB_UPDATE_DOCS=1`` the root walk rewrites
the expected outputs of both READMEs and copies its diagrams to docs/lab/img/ instead of comparing.
"""

from __future__ import annotations

import contextlib
import difflib
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import docblocks
import pytest
from jobs import Jobs, early
from nobody import AS_NOBODY, NOBODY, env_for_nobody, packages_path, python_for_nobody, readable
from normalize import normalize
from procscan import namespaces, run_prefix

from alblab.lab import client
from alblab.lab.engine import PREFIX_ENV

REPO = Path(__file__).resolve().parent.parent
LAB_DOCS = REPO / "docs" / "lab"
READMES = (LAB_DOCS / "README.md", LAB_DOCS / "README.ko.md")
DIAGRAM_STEPS = (4, 5, 6, 7, 8)
PREFIX = run_prefix("wt")
UPDATE = os.environ.get("ALBLAB_LAB_UPDATE_DOCS") == "1"
ACTIVATE = Path(sys.prefix) / "bin" / "activate"
COMMAND_TIMEOUT_S = 900

pytestmark = [pytest.mark.apply, pytest.mark.dataplane, pytest.mark.timeout(1800)]


def _missing_requirements(mode: str) -> list[str]:
    missing = [tool for tool in ("terraform", "haproxy", "nft", "dot", "ip") if shutil.which(tool) is None]
    if not ACTIVATE.is_file():
        missing.append(f"a virtualenv ({ACTIVATE} is missing)")
    if os.geteuid() != 0:
        missing.append("root (to run the walk as root, and as another user for the rootless one)")
    if missing or mode == "root":
        return missing
    if UPDATE:
        return ["nothing: the docs are rewritten from the root walk only"]
    if shutil.which("setpriv") is None:
        return ["setpriv (util-linux)"]
    python = python_for_nobody()
    if python is None:
        return [f"a python {sys.version_info.major}.{sys.version_info.minor} that uid {NOBODY} may run"]
    probe = "from alblab.dataplane import availability; print(availability() or '')"
    done = subprocess.run(
        [*AS_NOBODY, python, "-c", probe],
        capture_output=True,
        text=True,
        check=False,
        cwd="/",
        env=env_for_nobody(),
    )
    why = done.stdout.strip() or (done.stderr.strip().splitlines() or [""])[-1]
    return [f"a data plane for an unprivileged user ({why})"] if why or done.returncode else []


def _participant_venv(base: Path) -> Path:
    """The unprivileged participant's own virtualenv, as `make deps` would give them: an interpreter they may
    run, this suite's packages and the repository (through a .pth file), and the `alblab` command."""
    python = python_for_nobody()
    assert python is not None
    venv = base / "venv"
    subprocess.run([python, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=120)
    version = f"python{sys.version_info.major}.{sys.version_info.minor}"
    site = venv / "lib" / version / "site-packages"
    (site / "alblab-walk.pth").write_text("\n".join(packages_path().split(os.pathsep)) + "\n")
    script = venv / "bin" / "alblab"
    script.write_text(f"#!{venv}/bin/python\nimport sys\nfrom alblab.cli import main\nsys.exit(main())\n")
    script.chmod(0o755)
    return venv / "bin" / "activate"


@contextlib.contextmanager
def _walk_dirs(mode: str) -> Iterator[Path]:
    """HOME, TMPDIR and the lab dir, owned by whoever walks (not under pytest's 0700 tmp for nobody)."""
    base = Path(tempfile.mkdtemp(prefix=f"alblab-walk-{mode}-"))
    try:
        base.chmod(0o755)
        for sub in ("home", "tmp", "lab"):
            (base / sub).mkdir()
            if mode == "rootless":
                os.chown(base / sub, NOBODY, NOBODY)
        yield base
    finally:
        shutil.rmtree(base, ignore_errors=True)


def _runner(mode: str, base: Path) -> tuple[list[str], dict[str, str], Path, Path]:
    """How each command runs: the user prefix, the environment, the virtualenv, the repository it runs in
    (a readable copy for the unprivileged user when this checkout is closed to others)."""
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(base / "home"),
        "TMPDIR": str(base / "tmp"),
        "LANG": "C.UTF-8",
        client.LAB_DIR_ENV: str(base / "lab"),
        PREFIX_ENV: PREFIX,
    }
    if mode == "rootless":
        return [*AS_NOBODY], env, _participant_venv(base), readable().repo
    return [], env, ACTIVATE, REPO


def _run(prefix: list[str], env: dict[str, str], activate: Path, line: str, repo: Path) -> tuple[int, str]:
    """One command as a participant types it: the virtualenv activated, then the line, from the repo."""
    shell = f"source {activate} && {line}"
    done = subprocess.run(
        [*prefix, "bash", "-c", shell],
        cwd=repo,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        timeout=COMMAND_TIMEOUT_S,
        check=False,
    )
    return done.returncode, done.stdout


@dataclass
class Walk:
    skipped: str  # why the walk could not run here ("" when it ran)
    outputs: list[str]
    mismatches: list[str]
    left: list[str]
    timings: list[str]


def walk(mode: str) -> Walk:
    """Every command of the README, in order, as ``mode`` (root or rootless): what differed, what was left."""
    missing = _missing_requirements(mode)
    if missing:
        return Walk(f"the {mode} lab walk needs " + ", ".join(missing), [], [], [], [])
    commands = docblocks.parse(READMES[0].read_text())
    assert commands[0].line == "alblab lab start" and commands[-1].line == "alblab lab stop"

    outputs: list[str] = []
    mismatches: list[str] = []
    timings: list[str] = []
    with _walk_dirs(mode) as base:
        prefix, env, activate, repo = _runner(mode, base)
        lab_dir = base / "lab"
        try:
            for command in commands:
                t0 = time.monotonic()
                rc, text = _run(prefix, env, activate, command.line, repo)
                timings.append(f"{time.monotonic() - t0:6.1f} s  {command.line}")
                actual = normalize(text.replace(str(lab_dir), ".work/lab"))
                outputs.append(actual)
                # `check` fails (rc 1) exactly when it prints a hint; every other command must succeed.
                expected_rc = 1 if command.line.endswith(" check") and not actual.endswith(": OK") else 0
                if rc != expected_rc:
                    mismatches.append(
                        f"$ {command.line}: rc {rc}, expected {expected_rc}\n{actual}{_logs_named(text)}"
                    )
                if actual != normalize(command.expected):
                    diff = difflib.unified_diff(
                        normalize(command.expected).splitlines(),
                        actual.splitlines(),
                        "docs",
                        "real",
                        lineterm="",
                    )
                    mismatches.append(f"$ {command.line} (rc {rc})\n" + "\n".join(diff))
                if command.line == "alblab lab diagram" and UPDATE and mode == "root":
                    _copy_diagram(lab_dir, len([c for c in outputs if "== Step" in c]))
        finally:
            left = _teardown(prefix, env, activate, lab_dir, mode, repo)
    return Walk("", outputs, mismatches, left, timings)


def _logs_named(text: str, lines: int = 40) -> str:
    """The end of each log a failed command points to ("see <path>.log"): the lab directory is gone by the
    time the test reports, and a failure that happens only under load is read from here."""
    tails = []
    for name in re.findall(r"see (/\S+?\.log)\b", text):
        try:
            tail = Path(name).read_text(errors="replace").splitlines()[-lines:]
        except OSError as exc:
            tail = [f"(unreadable: {exc})"]
        tails.append(f"\n--- {name} (last {lines} lines)\n" + "\n".join(tail))
    return "".join(tails)


# Both walks from the session's start, side by side: each is mostly waiting (the ALB's waiter, health checks).
early("lab_walk_root", seconds=670)(lambda _ctx: walk("root"))
early("lab_walk_rootless", seconds=660)(lambda _ctx: walk("rootless"))


@pytest.mark.parametrize("mode", ["root", "rootless"])
def test_lab_walkthrough(mode: str, jobs: Jobs) -> None:
    result: Walk = jobs.result(f"lab_walk_{mode}")
    if result.skipped:
        pytest.skip(result.skipped)
    print(f"\n{mode} walk, seconds per command:\n" + "\n".join(result.timings))
    assert not result.left, f"the lab left something behind: {result.left}"
    if UPDATE:
        if mode == "root":
            for readme in READMES:
                readme.write_text(docblocks.rewrite(readme.read_text(), result.outputs))
        return
    assert not result.mismatches, (
        f"the {mode} lab's output differs from docs/lab/README.md:\n\n" + "\n\n".join(result.mismatches)
    )


def _copy_diagram(lab_dir: Path, step: int) -> None:
    if step not in DIAGRAM_STEPS:
        return
    for lang in ("", ".ko"):
        for suffix in (".png", ".svg"):
            name = f"diagram-step{step}{lang}{suffix}"
            shutil.copyfile(lab_dir / name, LAB_DOCS / "img" / f"step{step}{lang}{suffix}")


def _teardown(
    prefix: list[str], env: dict[str, str], activate: Path, lab_dir: Path, mode: str, repo: Path
) -> list[str]:
    """Whatever happened: `alblab lab stop` as the walker, then by PID; what is still there, in words."""
    pid = client.daemon_pid(lab_dir)
    with contextlib.suppress(subprocess.SubprocessError, OSError):
        _run(prefix, env, activate, "alblab lab stop", repo)
    left = []
    if pid is not None and not client.wait_gone(lab_dir, pid, timeout=30):
        left.append(f"the lab daemon (pid {pid})")
        os.kill(pid, signal.SIGTERM)
        client.wait_gone(lab_dir, pid, timeout=30)
    if mode == "root":
        left += [ns for ns in namespaces() if ns.startswith(f"{PREFIX}-")]
    if (lab_dir / "session.json").exists():
        left.append(f"a session record in {lab_dir}")
    return left
