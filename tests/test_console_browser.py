"""The console in a real browser (headless Chromium): the lab at step 8, and ``alblab up`` of an example.

Each brings its stack up with the CLI exactly as a user does (``alblab lab start`` + ``next``, or ``alblab
up``), starts the console with the CLI, and reads the page: both targets healthy, 6 requests that alternate,
a request sent from a terminal appearing in the stream, a failed instance turning unhealthy and dropping out
of the stream, a direct attempt blocked by the instances' security group. Screenshots go to
.work/artifacts/console/; with ``ALBLAB_LAB_UPDATE_DOCS=1`` the lab's step-8 pictures are copied into
docs/lab/img/ for both lab documents. Skipped with the reason where no headless Chromium starts.

Health checks take a target out after ``unhealthy_threshold`` failures and send it no new requests
(https://docs.aws.amazon.com/elasticloadbalancing/latest/application/target-group-health-checks.html);
the instances' security group admits the ALB's group only, so a direct connection is dropped
(https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-update-security-groups.html).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import tempfile
import traceback
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from itertools import pairwise
from pathlib import Path
from typing import Any

import pytest
from browser import ConsolePage, chromium, wait_for, why_no_browser
from jobs import Jobs, early
from procscan import CLI, namespaces, plane_prefixes, run_prefix

from alblab import consoles
from alblab.pids import alive

REPO = Path(__file__).resolve().parents[1]
LAB_IMG = REPO / "docs" / "lab" / "img"
UPDATE = os.environ.get("ALBLAB_LAB_UPDATE_DOCS") == "1"
# The lab's namespaces; `alblab up` names its own (read from its plane.json).
LAB_PREFIX = run_prefix("wc")
HEALTH_S = 60

pytestmark = [pytest.mark.apply, pytest.mark.dataplane, pytest.mark.lifecycle, pytest.mark.timeout(1800)]


@dataclass
class Brought:
    """A stack brought up by the CLI, with its console."""

    home: Path
    env: dict[str, str]
    prefixes: set[str]  # of the namespaces it may make; more are read from its plane.json
    url: str = ""


@dataclass
class Outcome:
    """What one job saw: why it could not run here, what went wrong, what it left behind."""

    skipped: str = ""
    problem: str = ""
    left: list[str] = field(default_factory=list)


def _cli(args: list[str], env: dict[str, str], timeout: float = 900) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*CLI, *args], cwd=REPO, env=env, capture_output=True, text=True, timeout=timeout, check=False
    )


def _why_not_here() -> str:
    from alblab.dataplane import availability

    missing = [tool for tool in ("terraform", "haproxy", "nft", "ip") if shutil.which(tool) is None]
    if missing:
        return f"needs {', '.join(missing)}"
    return why_no_browser() or availability() or ""


def _bring_up(brought: Brought, steps: list[list[str]], console: list[str]) -> None:
    for args in steps:
        done = _cli(args, brought.env)
        assert done.returncode == 0, (
            f"alblab {' '.join(args)}: rc {done.returncode}\n{done.stdout}{done.stderr}"
        )
    done = _cli(console, brought.env, timeout=120)
    lines = done.stdout.splitlines()
    ok = done.returncode == 0 and len(lines) == 1 and lines[0].startswith("console: http://127.0.0.1:")
    assert ok, f"alblab {' '.join(console)}: rc {done.returncode}\n{done.stdout}{done.stderr}"
    brought.url = lines[0].removeprefix("console: ")


def _finish(brought: Brought, down: list[str]) -> list[str]:
    """The CLI's own way back; then what is still there of the console, the stack or its namespaces."""
    console = consoles.read(brought.home)
    prefixes = brought.prefixes | plane_prefixes(brought.home)
    done = _cli(down, brought.env, timeout=600)
    left = [] if done.returncode == 0 else [f"alblab {' '.join(down)}: rc {done.returncode} {done.stdout}"]
    if console is not None and alive(console.pid):
        left.append(f"the console (pid {console.pid}) outlived alblab {' '.join(down)}")
    if consoles.directory(brought.home).exists():
        left.append(f"the console's record in {brought.home}")
    return left + [ns for ns in namespaces() for prefix in prefixes if ns.startswith(f"{prefix}-")]


def _job(
    steps: list[list[str]],
    console: list[str],
    env_key: str,
    check: Callable[[Brought], None],
    down: list[str],
) -> Outcome:
    """Bring the stack and its console up, run ``check`` in Chromium, take everything down whatever happened:
    the whole life cycle inside the job, so that a deselected test leaves nothing running."""
    why = _why_not_here()
    if why:
        return Outcome(skipped=why)
    base = Path(tempfile.mkdtemp(prefix="alblab-console-"))
    home = base / "state"
    env = {**os.environ, env_key: str(home), "ALBLAB_LAB_PREFIX": LAB_PREFIX, "TMPDIR": str(base)}
    brought = Brought(home, env, {LAB_PREFIX} if env_key == "ALBLAB_LAB_DIR" else set())
    outcome = Outcome()
    try:
        _bring_up(brought, steps, console)
        check(brought)
    except Exception:  # an assertion or anything else: the test reports it; the clean-up runs anyway
        outcome.problem = traceback.format_exc()
    finally:
        outcome.left = _finish(brought, down)
        shutil.rmtree(base, ignore_errors=True)
    return outcome


def _result(jobs: Jobs, name: str) -> None:
    outcome: Outcome = jobs.result(name)
    if outcome.skipped:
        pytest.skip(outcome.skipped)
    assert not outcome.problem, outcome.problem
    assert not outcome.left, f"left behind: {outcome.left}"


def _alternate(rows: list[dict[str, Any]], names: set[str]) -> None:
    seen = [r["name"] for r in rows]
    assert set(seen) == names and all(a != b for a, b in pairwise(seen)), seen


def _fetch(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def _group(page: ConsolePage, key: str) -> str:
    """The group the module made for ``key``: named "<name>-<key>-<4 hex>" (the hex follows the fields whose
    change replaces the group, so a replacement can be created beside it)."""
    groups = page.js("return [...document.querySelectorAll('.tg')].map(e => e.dataset.name)")
    found = [g for g in groups if re.search(rf"-{key}-[0-9a-f]{{4}}$", g)]
    assert len(found) == 1, f"one group for {key!r} expected among {groups}"
    return found[0]


def _fail_and_watch(page: ConsolePage, group: str, failing: str, staying: str) -> None:
    """Fail ``failing`` from its card: it turns unhealthy, the next requests all go to ``staying``; a direct
    attempt at it is blocked."""
    key = page.targets(group)[failing]["key"]
    page.click(key, "fail")
    wait_for(lambda: page.targets(group)[failing]["health"] == "unhealthy", HEALTH_S, f"{failing} unhealthy")
    assert page.targets(group)[staying]["health"] == "healthy"
    path = "/mobile"
    after = page.send(path, 6)
    assert [r["name"] for r in after] == [staying] * 6, after
    page.click(key, "reach")
    wait_for(
        lambda: page.targets(group)[failing]["direct"] == "blocked", 30, f"a blocked direct try at {failing}"
    )
    assert "blocked" in page.message()


def _lab_at_step_8(brought: Brought) -> None:
    with chromium() as driver:
        page = ConsolePage(driver, brought.url)
        wait_for(lambda: page.status() == "up", 30, "live")
        assert page.js("return document.getElementById('lab-step').textContent").startswith("Step 8: ")
        wait_for(
            lambda: all(t["health"] == "healthy" for t in page.targets("lab-mobile").values()),
            HEALTH_S,
            "both targets healthy",
        )
        assert set(page.targets("lab-mobile")) == {"web-a", "web-b"}
        _alternate(page.send("/mobile", 6), {"web-a", "web-b"})
        before = page.last_seq()
        done = _cli(["lab", "curl", "/desktop"], brought.env, timeout=120)  # from a terminal
        assert done.returncode == 0, done.stdout + done.stderr
        row = wait_for(
            lambda: [r for r in page.rows() if r["seq"] > before],
            30,
            "the terminal's request in the stream",
        )
        assert (row[0]["name"], row[0]["status"]) == ("on-prem", 200) and "GET /desktop" in row[0]["text"]
        shots = [page.screenshot("console-step8.png")]
        page.language("ko")
        assert "대상 그룹" in page.js("return document.body.textContent")
        shots.append(page.screenshot("console-step8.ko.png"))
        page.language("en")
        if UPDATE:
            for shot in shots:
                shutil.copyfile(shot, LAB_IMG / shot.name)
        _fail_and_watch(page, "lab-mobile", "web-a", "web-b")
        page.screenshot("console-step8-failed.png")
        state = json.loads(_fetch(f"{brought.url.replace('/?', '/api/state?')}")[1])
        assert state["lab"]["number"] == 8 and state["status"] == "up"
        assert any(r["name"] == "on-prem" for r in state["requests"])


def _example(brought: Brought) -> None:
    api = brought.url.replace("/?", "/api/state?")
    assert _fetch(api.split("?")[0])[0] == 403
    assert _fetch(api + "x")[0] == 403
    with chromium() as driver:
        page = ConsolePage(driver, brought.url)
        wait_for(lambda: page.status() == "up", 30, "live")
        group = _group(page, "mobile")
        names = wait_for(
            lambda: (t := page.targets(group)) and all(x["health"] == "healthy" for x in t.values()) and t,
            HEALTH_S,
            "both targets healthy",
        )
        web_a, web_b = sorted(names)
        _alternate(page.send("/mobile", 6), {web_a, web_b})
        # A malformed path is a message on the page (the API answered 400), and nothing is sent.
        before = page.last_seq()
        page.js("document.getElementById('send-path').value = 'mobile';"
                "document.getElementById('send-button').click();")  # fmt: skip
        wait_for(lambda: "must start with '/'" in page.message(), 30, "the path's message on the page")
        assert page.js("return document.getElementById('message').className") == "error"
        assert page.last_seq() == before
        page.screenshot("console-path-routing.png")
        _fail_and_watch(page, group, web_a, web_b)
        # The stack goes down under the console (its emulator dies): the page says so, and a browser that
        # reconnects gets the page and the same news.
        record = json.loads((brought.home / "session.json").read_text())
        os.kill(record["emulator_pid"], signal.SIGTERM)
        wait_for(lambda: page.status() == "down", 60, "down")
        assert "emulator" in page.notice()
        driver.refresh()
        wait_for(lambda: page.status() == "down", 30, "down after a reload")
        page.screenshot("console-stack-gone.png")


LAB_STEPS = [["lab", "start"]] + [["lab", "next"]] * 7  # steps 1..8
early("console_lab", seconds=600)(
    lambda _ctx: _job(LAB_STEPS, ["lab", "console"], "ALBLAB_LAB_DIR", _lab_at_step_8, ["lab", "stop"])
)
early("console_example", seconds=260)(
    lambda _ctx: _job([["up", "examples/path-routing"]], ["console"], "ALBLAB_HOME", _example, ["down"])
)


def test_the_lab_at_step_8_in_chromium(jobs: Jobs) -> None:
    _result(jobs, "console_lab")


def test_an_example_in_chromium_and_a_console_that_outlives_its_stack(jobs: Jobs) -> None:
    _result(jobs, "console_example")
