"""Rootless mode for real: an unprivileged user (nobody) builds a plane from a model Stack, curls through
it, probes, fails and heals a target and brings it down; then nothing of it is left.

The suite runs as root, so this test drops to uid 65534 with setpriv for one script (tests/plane_script.py
``tour``), in a directory that user owns, with HOME there and the PATH a normal user has (no /usr/sbin).
"""

from __future__ import annotations

import itertools
import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from nobody import AS_NOBODY, NOBODY, REPO, packages_path, readable, usable_python
from plane_factories import processes_naming

from alblab.dataplane.procs import alive

SCRIPT = Path(__file__).with_name("plane_script.py")
USER_PATH = "/usr/local/bin:/usr/bin:/bin"

pytestmark = [
    pytest.mark.dataplane,
    pytest.mark.skipif(os.geteuid() != 0, reason="needs root to drop to an unprivileged user"),
    pytest.mark.skipif(shutil.which("setpriv") is None, reason="needs setpriv (util-linux)"),
]


def as_nobody(argv: list[str], home: Path, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    # The repo and the site-packages of this interpreter: nobody may not be able to run the venv's python
    # (it can sit under /root), but any readable interpreter of the same version can import from them.
    env = {"HOME": str(home), "PATH": USER_PATH, "PYTHONPATH": packages_path(), "TMPDIR": "/tmp"}
    return subprocess.run(
        [*AS_NOBODY, *argv], cwd=home, env=env, capture_output=True, text=True, timeout=timeout, check=False
    )


@pytest.fixture
def home() -> Iterator[Path]:
    # Not under pytest's tmp_path: that is root's and 0700, and nobody must own its home.
    path = Path(tempfile.mkdtemp(prefix="alblab-rootless-", dir="/tmp"))
    os.chown(path, NOBODY, NOBODY)
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


def script() -> str:
    """tests/plane_script.py where nobody may read it (a clone may sit in a directory closed to others)."""
    return str(readable().path(SCRIPT))


def python_for_nobody(home: Path) -> str:
    python = usable_python(lambda argv: as_nobody(argv, home, timeout=30), "import alblab.dataplane.plane")
    if python is None:
        version = f"{sys.version_info.major}.{sys.version_info.minor}"
        pytest.skip(f"no python {version} that uid {NOBODY} can run and import alblab with (repo: {REPO})")
    return python


def test_unprivileged_user_runs_the_whole_plane(home: Path) -> None:
    python = python_for_nobody(home)
    run_dir = home / "plane"
    proc = as_nobody([python, script(), "tour", str(run_dir)], home)
    assert proc.returncode == 0, proc.stderr[-3000:]
    report = json.loads(proc.stdout.strip().splitlines()[-1])
    assert (report["uid"], report["mode"], report["availability"]) == (NOBODY, "rootless", None)
    seen = report["seen"]
    assert set(seen) == {"i-aaa", "i-bbb"} and all(a != b for a, b in itertools.pairwise(seen)), seen
    assert set(report["peers"]) <= set(report["alb_node_ips"])  # the backend saw an ALB node, not the client
    assert report["probe"] == {"i-aaa": "blocked", "i-bbb": "blocked"}
    assert report["while_failed"] == ["i-bbb"] and report["healed_alternates"]
    assert "no listener on port 443" in report["bad_port"]
    assert "holder" in report["processes"]
    # Nothing is left: none of its processes (holder included), no process naming its dirs, no sockets.
    assert [name for name, pid in report["processes"].items() if alive(pid)] == []
    assert processes_naming([str(run_dir), report["sock_dir"]]) == []
    assert not Path(report["sock_dir"]).exists()
    assert not (run_dir / "plane.json").exists()
    print(f"rootless: up {report['up_s']} s, down {report['down_s']} s, failed {report['failed_after_s']} s")


def test_unprivileged_plane_outlives_the_process_that_made_it(home: Path) -> None:
    """As the CLI runs: ``up`` in one process, ``curl``/``status`` in the next, ``down`` in a third."""
    python = python_for_nobody(home)
    run_dir = home / "plane"
    made = as_nobody([python, script(), "up", str(run_dir)], home)
    assert made.returncode == 0, made.stderr[-3000:]
    used = as_nobody([python, script(), "use", str(run_dir)], home)
    assert used.returncode == 0, used.stderr[-3000:]
    report = json.loads(used.stdout.strip().splitlines()[-1])
    assert set(report["seen"]) == {"i-aaa", "i-bbb"} and report["repaired"] == []
    assert report["health"] == {"web": {"i-aaa:80": "healthy", "i-bbb:80": "healthy"}}
    clean = as_nobody(
        [
            python,
            "-c",
            f"from alblab.dataplane import teardown_saved; print(teardown_saved({str(run_dir)!r}))",
        ],
        home,
    )
    assert clean.returncode == 0, clean.stderr
    assert [name for name, pid in report["processes"].items() if alive(pid)] == []
    assert processes_naming([str(run_dir)]) == []


def test_unprivileged_user_cleans_a_killed_plane_with_one_call(home: Path) -> None:
    python = python_for_nobody(home)
    run_dir = home / "plane"
    crashed = as_nobody([python, script(), "crash", str(run_dir), "data plane up"], home)
    assert crashed.returncode == -9, crashed.stderr[-3000:]
    saved = json.loads((run_dir / "plane.json").read_text())
    assert alive(saved["holder"]["pid"])
    clean = as_nobody(
        [
            python,
            "-c",
            f"from alblab.dataplane import teardown_saved; print(teardown_saved({str(run_dir)!r}))",
        ],
        home,
    )
    assert clean.stdout.strip() == saved["prefix"], clean.stderr
    assert not alive(saved["holder"]["pid"])
    assert [p for p in saved["procs"].values() if alive(p["pid"])] == []
    assert processes_naming([str(run_dir), saved["sock_dir"]]) == []
