"""The most common configuration there is, through the pytest plugin as a user runs it: a plain ALB whose
health check is the AWS default, ``path = "/"`` (tests/fixtures/plain-alb; the default is in
https://docs.aws.amazon.com/elasticloadbalancing/latest/application/target-group-health-checks.html).

The stand-in app tells ALB's health checks apart by their ``User-Agent: ELB-HealthChecker/2.0``
(https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-troubleshooting.html),
not by their path, so ``GET /`` from a client reaches the app on each instance in turn.
"""

from __future__ import annotations

import subprocess
import tempfile
import textwrap
from pathlib import Path

import pytest
from jobs import JobContext, Jobs, early
from test_plugin import PYTEST, Run, environment, finished

from alblab.dataplane import availability

PLAIN = Path(__file__).parent / "fixtures" / "plain-alb"
pytestmark = [pytest.mark.apply, pytest.mark.timeout(900)]

USER_TESTS = f"""
from alblab.testing import alb_stack

plain = alb_stack({str(PLAIN)!r}, variables={{"image": "ami-1e749f67"}})


def test_root_alternates(plain):
    assert len(set(plain.assert_alternates("/", n=6))) == 2


def test_root_lands_on_the_group(plain):
    reply = plain.assert_lands("/", target_group="shop-app")
    assert reply.field("path") == "/" and reply.request_header("x-forwarded-for")


def test_a_fixed_response_503_stays_the_users(plain):
    plain.assert_lands("/maintenance", status=503, body="Back soon")
"""


@early("plugin_root_health", seconds=160)
def run_user_tests(ctx: JobContext) -> Run:
    tmp = Path(tempfile.mkdtemp(prefix="plugin-root-health-", dir=ctx.work_root))
    (tmp / "test_root.py").write_text(textwrap.dedent(USER_TESTS))
    proc = subprocess.run(
        [*PYTEST, "-v", "test_root.py"],
        cwd=tmp, env=environment(tmp), capture_output=True, text=True, timeout=850, check=False,
    )  # fmt: skip
    (tmp / "test_root.py").unlink()
    return finished(proc.returncode, proc.stdout + proc.stderr, tmp)


def test_health_check_on_root_alternates_and_lands(jobs: Jobs) -> None:
    run: Run = jobs.result("plugin_root_health")
    if availability() is None:
        assert run.outcomes() == {"passed": 3}, run.out
    else:
        assert run.outcomes() == {"skipped": 3}, run.out
    assert "Traceback" not in run.out
    assert run.left_processes == [] and run.left_files == [], run.out
