"""The embedded AWS emulator: one moto server on a free loopback port, owned by its PID."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from types import TracebackType

from alblab import niceness, pids
from alblab.aws_env import REGION
from alblab.errors import AlblabError
from alblab.startclock import StartClock
from alblab.strict.mode import ModeError, emulator_mode


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


SERVER_MODULE = "alblab.emulator_server"


class EmulatorError(AlblabError):
    pass


def answers(endpoint: str) -> bool:
    try:
        with urllib.request.urlopen(f"{endpoint}/moto-api/data.json", timeout=2):
            return True
    except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
        return False


def is_running(pid: int, port: int) -> bool:
    """True when ``pid`` is still the emulator alblab started on ``port`` (not a recycled PID)."""
    argv = pids.cmdline(pid)
    return pids.alive(pid) and SERVER_MODULE.encode() in argv and str(port).encode() in argv


def stop_running(pid: int, port: int, timeout: float = 10.0) -> bool:
    """Stop an emulator started by another alblab process; True once it is gone."""
    return pids.terminate(pid, lambda p: is_running(p, port), timeout)


class Emulator:
    """A moto server process. ``start()`` returns once it answers HTTP; ``stop()`` kills only its PID."""

    def __init__(
        self, port: int | None = None, state_dir: Path | None = None, env: dict[str, str] | None = None
    ) -> None:
        """``env``: added to the server's environment (a session's mark, see ``alblab.records``)."""
        self.port = port or free_port()
        self.state_dir = state_dir
        self.env = dict(env or {})
        self._proc: subprocess.Popen[bytes] | None = None
        self._log: Path | None = None

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def pid(self) -> int | None:
        return self._proc.pid if self._proc else None

    def spawn(self) -> int:
        """Start the server process and return its PID at once (record it before waiting for it)."""
        if self._proc is not None:
            return self._proc.pid
        try:
            emulator_mode()  # a mistyped ALBLAB_EMULATOR fails here, with its name, not as a dead server
        except ModeError as exc:
            raise EmulatorError(str(exc)) from None
        log_dir = self.state_dir or Path(os.environ.get("TMPDIR", "/tmp"))
        log_dir.mkdir(parents=True, exist_ok=True)
        self._log = log_dir / f"moto-{self.port}.log"
        # MOTO_ACCOUNT_ID would put every request in one account, whatever key signs it.
        env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_") and k != "MOTO_ACCOUNT_ID"}
        env.update(
            {"AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test", "AWS_DEFAULT_REGION": REGION}
        )
        env.update(self.env)
        with self._log.open("ab") as log:
            self._proc = subprocess.Popen(
                [sys.executable, "-m", SERVER_MODULE, "--port", str(self.port)],
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                env=env,
                # Own session: a Ctrl-C meant for the CLI must not take the emulator (and its state) along.
                start_new_session=True,
            )
        niceness.carry_into_session(self._proc.pid)
        return self._proc.pid

    def start(self, timeout: float = 60.0) -> Emulator:
        self.spawn()
        self.wait_ready(timeout)
        return self

    def wait_ready(self, timeout: float = 60.0) -> None:
        """Until it answers; ``timeout`` does not count the time it queued for a CPU (alblab.startclock)."""
        proc = self._proc
        assert proc is not None
        clock = StartClock(proc.pid, timeout)
        while not clock.expired():
            if proc.poll() is not None:
                raise EmulatorError(
                    f"the AWS emulator exited with {proc.returncode} while starting; log: {self._log}"
                )
            if answers(self.endpoint):
                return
            time.sleep(0.1)
        self.stop()
        raise EmulatorError(
            f"the AWS emulator did not answer on {self.endpoint} {clock.describe()}; log: {self._log}"
        )

    def stop(self) -> None:
        proc, self._proc = self._proc, None
        if proc is not None:
            pids.stop_child(proc)

    def __enter__(self) -> Emulator:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()
