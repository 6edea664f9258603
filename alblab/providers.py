"""One aws provider process shared by many Terraform commands (Terraform's ``TF_REATTACH_PROVIDERS``).

Every Terraform command normally starts its own copy of the ~700 MB aws provider (seconds of CPU each); a
suite runs hundreds of commands. A provider started once in its debug mode serves them all: Terraform
attaches to it instead of starting one. Only for commands that share one configuration of the provider (the
same emulator endpoint and keys): each command configures it again, with the same values. ``init`` never
attaches (it must install the provider and write the lock file).

One provider per configuration, never one for two: a command's configuration replaces the provider's for
every command attached at that moment, so two stacks with their own keys (their own emulated accounts, see
``alblab.accounts``) applying at once through one provider put each other's resources in the wrong account
(measured: 17 of 25 VPCs of one stack landed in the other's account, and its apply failed). Each stack has its
own.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import time
from pathlib import Path

from alblab import niceness, pids
from alblab.aws_env import DEFAULT_KEY, fake_aws_env
from alblab.errors import AlblabError
from alblab.startclock import StartClock
from alblab.tfconfig import find_mirror
from alblab.trace import trace_path

REATTACH_ENV = "TF_REATTACH_PROVIDERS"
_LINE = re.compile(r"TF_REATTACH_PROVIDERS='(\{.*\})'")


class ProviderError(AlblabError):
    pass


# A unix socket path holds at most 107 bytes; the provider adds about 20 to its TMPDIR.
MAX_SOCK_DIR = 80


def provider_binary() -> Path | None:
    """The aws provider in this machine's filesystem mirror, or None (then every command starts its own)."""
    mirror = find_mirror()
    if mirror is None:
        return None
    aws = mirror / "registry.terraform.io" / "hashicorp" / "aws"
    found = sorted(aws.glob("*/*/terraform-provider-aws*"))
    return found[-1] if found else None


class SharedProvider:
    """The provider process, started by ``start()`` (which returns once Terraform can attach)."""

    def __init__(
        self,
        binary: Path,
        endpoint: str | None,
        log: Path,
        sock_dir: Path,
        access_key: str = DEFAULT_KEY,
        env: dict[str, str] | None = None,
    ) -> None:
        """``access_key``: the key the commands attached to it configure (its fallback otherwise); ``env``:
        added to its environment (a session's mark, see ``alblab.records``)."""
        self.binary = binary
        self.endpoint = endpoint
        self.access_key = access_key
        self.extra_env = dict(env or {})
        self.log = log
        # Where it makes its socket (its TMPDIR): ours to remove, not the user's temp dir to litter.
        self.sock_dir = sock_dir
        self.reattach = ""
        self._proc: subprocess.Popen[str] | None = None

    @property
    def pid(self) -> int | None:
        return self._proc.pid if self._proc else None

    def spawn(self) -> int:
        # Its own environment: the provider reads AWS_* from it, not from the Terraform that attaches. A CA
        # bundle there makes every configuration after the first fail ("unable to add custom RootCAs").
        env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "TF_"))}
        if self.endpoint:
            env.update(fake_aws_env(self.endpoint, self.access_key))
        env.update(self.extra_env)
        traced = trace_path("provider", "log")
        if traced is not None:
            # Its own account of every AWS call it makes, with the call's duration: what tells its idle waits.
            env["TF_LOG"] = "DEBUG"
            self.log = traced
        self.sock_dir.mkdir(parents=True, exist_ok=True)
        env["TMPDIR"] = str(self.sock_dir)
        self.log.parent.mkdir(parents=True, exist_ok=True)
        # Both streams to a file (never a pipe nobody reads, which would block or break it); the reattach
        # line is read back from there.
        with self.log.open("wb") as out:
            self._proc = subprocess.Popen(
                [str(self.binary), "-debug"],
                stdout=out,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                env=env,
                start_new_session=True,
            )
        niceness.carry_into_session(self._proc.pid)
        return self._proc.pid

    def wait_ready(self, timeout: float = 60.0) -> str:
        assert self._proc is not None
        clock = StartClock(self._proc.pid, timeout)  # not counting the time it queued for a CPU
        while not clock.expired():
            match = _LINE.search(self.log.read_text(errors="replace"))
            if match:
                self.reattach = match.group(1)
                json.loads(self.reattach)  # a line we do not understand must not reach Terraform
                return self.reattach
            if self._proc.poll() is not None:
                break
            time.sleep(0.05)
        self.stop()
        raise ProviderError(f"the shared aws provider did not start {clock.describe()}; see {self.log}")

    def start(self) -> str:
        self.spawn()
        return self.wait_ready()

    def env(self) -> dict[str, str]:
        return {REATTACH_ENV: self.reattach} if self.reattach else {}

    def stop(self) -> None:
        proc, self._proc = self._proc, None
        if proc is not None:
            pids.stop_child(proc)


def is_running(pid: int) -> bool:
    """True when ``pid`` is still a shared provider alblab started (not a recycled PID, not a zombie)."""
    argv = pids.cmdline(pid)  # a zombie's is empty: gone for our purposes
    return len(argv) > 1 and b"terraform-provider-aws" in argv[0] and argv[1] == b"-debug"


def stop_running(pid: int, timeout: float = 10.0) -> bool:
    """Stop a shared provider another alblab process started (a session's record names it); True once gone."""
    return pids.terminate(pid, is_running, timeout)
