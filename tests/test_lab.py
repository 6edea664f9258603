"""The lab test: replays every runnable block of docs/lab/README.md against the real lab and compares.

It starts the lab daemon (emulator + Terraform + HAProxy in network namespaces), so it needs root,
terraform, haproxy, nft and dot. With ``ALBLAB_LAB_UPDATE_DOCS=1`` it rewrites the expected outputs of
both READMEs from the run and copies the step 4/6/7 diagrams to docs/lab/img/ instead of comparing.
"""

from __future__ import annotations

import contextlib
import difflib
import io
import os
import shutil
import signal
import subprocess
from pathlib import Path

import pytest

from alblab.lab import cli, client, docblocks
from alblab.lab.normalize import normalize

LAB_DOCS = Path(__file__).resolve().parent.parent / "docs" / "lab"
READMES = (LAB_DOCS / "README.md", LAB_DOCS / "README.ko.md")
DIAGRAM_STEPS = (4, 6, 7)
PREFIX = "wstest"
UPDATE = os.environ.get("ALBLAB_LAB_UPDATE_DOCS") == "1"


def _missing_requirements() -> list[str]:
    missing = [tool for tool in ("terraform", "haproxy", "nft", "dot", "ip") if shutil.which(tool) is None]
    if os.geteuid() != 0:
        missing.append("root (network namespaces)")
    try:
        from alblab.dataplane import DataPlane  # noqa: F401
    except ImportError:
        missing.append("alblab.dataplane.DataPlane")
    return missing


pytestmark = [pytest.mark.apply, pytest.mark.dataplane, pytest.mark.timeout(1200)]


def _namespaces() -> list[str]:
    listed = subprocess.run(["ip", "netns", "list"], capture_output=True, text=True, check=False).stdout
    return [line.split()[0] for line in listed.splitlines() if line.startswith(PREFIX)]


def _run(argv: list[str]) -> tuple[int, str]:
    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer):
        rc = cli.main(argv)
    return rc, buffer.getvalue()


def test_lab_walkthrough(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    missing = _missing_requirements()
    if missing:
        pytest.skip("the lab walk needs " + ", ".join(missing))
    lab_dir = tmp_path / "lab"
    monkeypatch.setenv(cli.LAB_DIR_ENV, str(lab_dir))
    monkeypatch.setenv("ALBLAB_LAB_PREFIX", PREFIX)
    commands = docblocks.parse(READMES[0].read_text())
    assert commands[0].line == "alblab lab start" and commands[-1].line == "alblab lab stop"

    outputs: list[str] = []
    mismatches: list[str] = []
    try:
        for command in commands:
            rc, text = _run(command.argv())
            actual = normalize(text)
            outputs.append(actual)
            # `check` fails (rc 1) exactly when it prints a hint; every other command must succeed.
            expected_rc = 1 if command.argv()[-1] == "check" and not actual.endswith(": OK") else 0
            if rc != expected_rc:
                mismatches.append(f"$ {command.line}: rc {rc}, expected {expected_rc}\n{actual}")
            if actual != normalize(command.expected):
                diff = difflib.unified_diff(
                    normalize(command.expected).splitlines(), actual.splitlines(), "docs", "real", lineterm=""
                )
                mismatches.append(f"$ {command.line} (rc {rc})\n" + "\n".join(diff))
            if command.line == "alblab lab diagram" and UPDATE:
                step = len([c for c in outputs if "== Step" in c])
                _copy_diagram(lab_dir, step)
    finally:
        _teardown(lab_dir)

    if UPDATE:
        for readme in READMES:
            readme.write_text(docblocks.rewrite(readme.read_text(), outputs))
        return
    assert not mismatches, "the lab's output differs from docs/lab/README.md:\n\n" + "\n\n".join(mismatches)


def _copy_diagram(lab_dir: Path, step: int) -> None:
    if step not in DIAGRAM_STEPS:
        return
    for suffix in (".png", ".svg"):
        shutil.copyfile(lab_dir / f"diagram-step{step}{suffix}", LAB_DOCS / "img" / f"step{step}{suffix}")


def _teardown(lab_dir: Path) -> None:
    """Whatever happened: daemon stopped (by its PID if it does not answer), namespaces gone."""
    pid = client.daemon_pid(lab_dir)
    with contextlib.suppress(client.DaemonNotRunning, OSError, RuntimeError):
        _run(["lab", "stop"])
    if pid is not None and not client.wait_gone(lab_dir, pid, timeout=30):
        os.kill(pid, signal.SIGTERM)
        client.wait_gone(lab_dir, pid, timeout=30)
    leftover = _namespaces()
    assert not leftover, f"the lab left namespaces behind: {leftover}"
