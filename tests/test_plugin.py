"""The pytest plugin as a module consumer uses it: pytest run on a project that lives outside this package
(its own directory, pytest.ini and tests; the module referenced by path), so nothing here relies on this
repository's conftest. The plugin is found through the package's ``pytest11`` entry point."""

from __future__ import annotations

import signal
import sys
import time
from pathlib import Path

import pytest
from procscan import with_env

from alblab.dataplane import availability

CONSUMER = Path(__file__).parent / "fixtures" / "consumer"
pytestmark = [pytest.mark.apply, pytest.mark.timeout(900)]


def consumer_args(*extra: str) -> list[str]:
    # -c/--rootdir: the consumer's own configuration; its conftest search stops at its own directory.
    return ["-c", str(CONSUMER / "pytest.ini"), "--rootdir", str(CONSUMER), "-p", "no:cacheprovider", *extra]


def test_a_consumer_project(
    pytester: pytest.Pytester, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    monkeypatch.delenv("ALBLAB_HOME", raising=False)
    result = pytester.runpytest_subprocess(*consumer_args("-v", str(CONSUMER / "tests")), timeout=850)
    output = result.stdout.str() + result.stderr.str()
    if availability() is None:
        result.assert_outcomes(passed=4)
    else:
        # Traffic tests skip with the reason; the API-state test still runs.
        result.assert_outcomes(passed=1, skipped=3)
        assert "alblab data plane not available" in output
    assert "Traceback" not in output
    assert with_env("TMPDIR", tmp_path) == []
    assert not list(tmp_path.glob("alblab-*")), "the plugin left its state directory behind"


def test_ctrl_c_during_an_apply_leaves_nothing(
    pytester: pytest.Pytester, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    monkeypatch.delenv("ALBLAB_HOME", raising=False)
    proc = pytester.popen(
        [*pytester._getpytestargs(), *consumer_args("-k", "applies_cleanly", str(CONSUMER / "tests"))],
        stdout=open(tmp_path / "out.txt", "wb"),  # noqa: SIM115
        stderr=open(tmp_path / "err.txt", "wb"),  # noqa: SIM115
    )
    # Interrupt while Terraform applies: wait for its state file to hold something.
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline and not any(
        p.stat().st_size > 200 for p in tmp_path.glob("alblab-pytest-*/work/*/terraform.tfstate")
    ):
        assert proc.poll() is None, (tmp_path / "out.txt").read_text()
        time.sleep(0.5)
    proc.send_signal(signal.SIGINT)
    rc = proc.wait(timeout=300)
    out = (tmp_path / "out.txt").read_text() + (tmp_path / "err.txt").read_text()
    assert rc == 2, out  # pytest's exit code for an interrupted run
    assert "KeyboardInterrupt" in out
    assert with_env("TMPDIR", tmp_path) == []
    assert not list(tmp_path.glob("alblab-*")), out


def test_keep_leaves_a_failed_stack_for_the_cli(
    pytester: pytest.Pytester, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = tmp_path / "home"
    monkeypatch.setenv("ALBLAB_HOME", str(home))
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    pytester.makepyfile(
        test_kept=f"""
        from alblab.testing import alb_stack

        plain = alb_stack({str(CONSUMER.parent / "plain-alb")!r}, variables={{"image": "ami-1e749f67"}})

        def test_fails_on_purpose(plain):
            assert plain.lb.name == "not-shop", "failing on purpose"
        """
    )
    result = pytester.runpytest_subprocess(
        "-p", "no:cacheprovider", "--alblab-keep", "--alblab-no-dataplane", timeout=850
    )
    result.assert_outcomes(failed=1)
    err = result.stderr.str()
    # One key per fixture instance: the fixture's name and, for module scope, its module.
    assert "kept 1 stack" in err and f"ALBLAB_HOME={home} alblab --stack plain-test_kept status" in err
    cli = [sys.executable, "-m", "alblab.cli"]
    status = pytester.run(*cli, "--stack", "plain-test_kept", "status", timeout=120)
    assert status.ret == 0, status.stderr.str()
    assert "aws_lb.shop" in status.stdout.str()
    down = pytester.run(*cli, "down", timeout=300)
    assert down.ret == 0, down.stderr.str()
    assert "nothing is left" in down.stdout.str()
    assert not home.exists()
