"""Whether a data plane can run here: root, rootless, or one line that names the cause and the fix."""

from __future__ import annotations

from pathlib import Path

import pytest
from plane_factories import stack

from alblab.dataplane import DataPlane, UnavailableError, availability, run_mode, sandbox


def test_mode_follows_the_user_unless_forced(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(sandbox.MODE_VAR, raising=False)
    monkeypatch.setattr(sandbox, "euid", lambda: 0)
    assert run_mode() == "root"
    monkeypatch.setattr(sandbox, "euid", lambda: 1000)
    assert run_mode() == "rootless"
    monkeypatch.setenv(sandbox.MODE_VAR, "root")
    assert run_mode() == "root"


def test_missing_program_names_the_package(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sandbox.tools, "find", lambda program: None if program == "nft" else "/bin/true")
    assert availability() == "the data plane needs nft: install them (apt-get install nftables)"


@pytest.mark.parametrize(
    ("sysctl", "value", "fix"),
    [
        ("kernel.apparmor_restrict_unprivileged_userns", 1, "kernel.apparmor_restrict_unprivileged_userns=0"),
        ("user.max_user_namespaces", 0, "user.max_user_namespaces=10000"),
        ("kernel.unprivileged_userns_clone", 0, "kernel.unprivileged_userns_clone=1"),
        ("", None, "run as root"),
    ],
)
def test_without_root_or_user_namespaces_one_line_names_cause_and_fix(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, sysctl: str, value: int | None, fix: str
) -> None:
    monkeypatch.setattr(sandbox, "euid", lambda: 1000)
    monkeypatch.delenv(sandbox.MODE_VAR, raising=False)
    monkeypatch.setattr(sandbox, "_trial_unshare", lambda: "unshare: write failed /proc/self/uid_map")
    monkeypatch.setattr(sandbox, "_sysctl", lambda name: value if name == sysctl else None)
    problem = availability()
    assert problem is not None and fix in problem and "\n" not in problem
    assert problem.startswith("the data plane needs root or unprivileged user namespaces")
    with pytest.raises(UnavailableError, match=fix.replace(".", "[.]")):
        DataPlane(stack(), tmp_path).up()
    assert list(tmp_path.iterdir()) == []  # said before anything is created


def test_forced_mode_that_cannot_run_says_so(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sandbox, "euid", lambda: 1000)
    monkeypatch.setenv(sandbox.MODE_VAR, "root")
    assert "not root" in str(availability())
    monkeypatch.setenv(sandbox.MODE_VAR, "fast")
    assert "ALBLAB_DATAPLANE='fast'" in str(availability())
