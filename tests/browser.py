"""Headless Chromium (Debian's ``chromium`` and ``chromium-driver``) driven by selenium, for the console's
page. Holds no tests. ``why_no_browser()`` says why none can run here (then the tests skip with it)."""

from __future__ import annotations

import functools
import shutil
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

CHROMIUM = ("chromium", "chromium-browser")
# Without the background-networking flags Chromium keeps calling out to a network this machine does not have.
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--window-size=1600,1250",
)
ARTIFACTS = Path(__file__).resolve().parents[1] / ".work" / "artifacts" / "console"


def _binaries() -> tuple[str | None, str | None]:
    browser = next((found for name in CHROMIUM if (found := shutil.which(name))), None)
    return browser, shutil.which("chromedriver")


@contextmanager
def chromium() -> Iterator[Any]:
    """A fresh headless Chromium (its own profile dir, removed after)."""
    from selenium import webdriver
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service

    browser, driver_path = _binaries()
    profile = tempfile.mkdtemp(prefix="alblab-chromium-")
    options = Options()
    options.binary_location = str(browser)
    for flag in (*FLAGS, f"--user-data-dir={profile}"):
        options.add_argument(flag)
    driver = webdriver.Chrome(options=options, service=Service(str(driver_path)))
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


@functools.cache
def why_no_browser() -> str | None:
    """None when a headless Chromium starts here; else why not (asked once)."""
    browser, driver_path = _binaries()
    if browser is None or driver_path is None:
        return "needs Debian's chromium and chromium-driver (make system-deps installs them)"
    try:
        import selenium  # noqa: F401
    except ImportError:
        return "needs selenium (pip install -e '.[test]')"
    try:
        with chromium() as driver:
            driver.get("about:blank")
    except Exception as exc:  # a stub binary (a snap wrapper without snapd), a driver of another version
        return f"headless Chromium does not start here: {str(exc).splitlines()[0] if str(exc) else exc}"
    return None


def wait_for(check: Callable[[], Any], timeout: float, what: str) -> Any:
    """Poll ``check`` until it returns something true; fail naming ``what`` and the last value."""
    deadline = time.monotonic() + timeout
    last: Any = None
    while time.monotonic() < deadline:
        last = check()
        if last:
            return last
        time.sleep(0.2)
    raise AssertionError(f"after {timeout:.0f} s, still not {what} (last seen: {last!r})")


class ConsolePage:
    """The console page as a test reads and drives it. Reads and clicks go through JavaScript: the page
    redraws on every event, so an element found a moment ago may already be replaced."""

    def __init__(self, driver: Any, url: str) -> None:
        self.driver = driver
        driver.get(url)

    def js(self, script: str, *args: Any) -> Any:
        return self.driver.execute_script(script, *args)

    def status(self) -> str:
        return str(self.js("return document.getElementById('status').dataset.status"))

    def notice(self) -> str:
        return str(self.js("return document.getElementById('notice').textContent"))

    def message(self) -> str:
        return str(self.js("return document.getElementById('message').textContent"))

    def targets(self, group: str) -> dict[str, dict[str, str]]:
        """name -> {id, key, health, direct} of the target cards of target group ``group``."""
        rows = self.js(
            "return [...document.querySelectorAll('.target')]"
            ".filter(e => e.dataset.key.startsWith(arguments[0] + '|'))"
            ".map(e => [e.dataset.name, {id: e.dataset.id, key: e.dataset.key, health: e.dataset.health,"
            " direct: e.dataset.direct || ''}])",
            group,
        )
        return {name: data for name, data in rows}

    def rows(self) -> list[dict[str, Any]]:
        """The request stream, oldest first."""
        rows = self.js(
            "return [...document.querySelectorAll('#stream tbody tr')].map(r => ({seq: Number(r.dataset.seq),"
            " target: r.dataset.target, name: r.dataset.targetName, status: Number(r.dataset.status),"
            " text: r.textContent}))"
        )
        return sorted(rows, key=lambda r: r["seq"])

    def last_seq(self) -> int:
        rows = self.rows()
        return rows[-1]["seq"] if rows else 0

    def send(self, path: str, count: int) -> list[dict[str, Any]]:
        """Send ``count`` requests from the page's form; the rows they added to the stream."""
        before = self.last_seq()
        self.js(
            "document.getElementById('send-path').value = arguments[0];"
            "document.getElementById('send-count').value = arguments[1];"
            "document.getElementById('send-button').click();",
            path,
            count,
        )
        return wait_for(
            lambda: (new := [r for r in self.rows() if r["seq"] > before]) and len(new) >= count and new,
            60,
            f"{count} new rows for {path} in the stream",
        )

    def click(self, target_key: str, button: str) -> None:
        self.js(
            'document.querySelector(`.target[data-key="${arguments[0]}"] button.${arguments[1]}`).click()',
            target_key,
            button,
        )

    def language(self, lang: str) -> None:
        self.js(f"document.getElementById('lang-{lang}').click()")

    def screenshot(self, name: str) -> Path:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        path = ARTIFACTS / name
        self.driver.save_screenshot(str(path))
        return path
