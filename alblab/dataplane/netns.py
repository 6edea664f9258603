"""Where the plane's ``ip``, ``nft`` and in-namespace commands run, and thin wrappers over ``ip netns``.

Root mode runs them on the host. Rootless mode runs them inside the holder's user+mount+network
namespaces (see :mod:`alblab.dataplane.sandbox`): the named namespaces exist only in the holder's mount
namespace, so every command enters it first. :meth:`Netns.prefix` is the one place that decides this.
Nothing here touches the host's own interfaces or routes: every link is created inside a namespace.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from alblab.dataplane import tools
from alblab.dataplane.errors import DataPlaneError
from alblab.dataplane.procs import ProcId

IP = tools.path("ip")
NSENTER = tools.path("nsenter")
NETNS_ETC = Path("/etc/netns")
# Rootless: ``ip netns exec`` gives the command a mount namespace of its own; binding the namespace's hosts
# file over /etc/hosts there is what ``ip netns exec`` does by itself with /etc/netns/<ns>/hosts as root.
_BIND_HOSTS = 'mount --bind "$0" /etc/hosts && exec "$@"'


class NetnsError(DataPlaneError):
    pass


class HolderGone(DataPlaneError):
    """Rootless mode: the process that holds the plane's namespaces is gone, and every namespace with it."""


def run(argv: Sequence[str], stdin: str | None = None, timeout: float = 30.0) -> str:
    try:
        proc = subprocess.run(
            list(argv), input=stdin, capture_output=True, text=True, timeout=timeout, check=False
        )
    except subprocess.TimeoutExpired as exc:
        raise NetnsError(f"{' '.join(argv[-4:])} timed out after {timeout} s") from exc
    if proc.returncode != 0:
        detail = (proc.stderr.strip() or proc.stdout.strip()).replace("\n", "; ")
        raise NetnsError(f"{' '.join(argv)} failed ({proc.returncode}): {detail}")
    return proc.stdout


@dataclass(frozen=True)
class Netns:
    """The plane's view of namespaces: on the host (``holder`` None) or inside the holder's namespaces."""

    holder: ProcId | None = None
    etc: Path = NETNS_ETC  # <etc>/<ns>/hosts: the hosts file commands in <ns> see

    def prefix(self) -> list[str]:
        if self.holder is None:
            return []
        if not self.holder.running():
            raise HolderGone(self._gone())
        # -n too: a stray command without "-n <ns>" acts on the holder's empty namespace, never the host's.
        return [NSENTER, "-t", str(self.holder.pid), "-U", "-m", "-n", "--preserve-credentials"]

    def _gone(self) -> str:
        pid = self.holder.pid if self.holder else "?"
        return f"the process holding the data plane's namespaces (pid {pid}) is gone"

    def run(self, argv: Sequence[str], stdin: str | None = None, timeout: float = 30.0) -> str:
        try:
            return run([*self.prefix(), *argv], stdin, timeout)
        except NetnsError as exc:
            # nsenter itself failed: the holder died after the check above (its namespaces go first).
            if self.holder is not None and ": nsenter: " in str(exc):
                raise HolderGone(self._gone()) from exc
            raise

    def batch(self, commands: Sequence[str], ns: str | None = None) -> None:
        """Many ``ip`` commands in one process (one fork instead of dozens), inside ``ns`` when given."""
        if commands:
            self.run([IP, *(["-n", ns] if ns else []), "-batch", "-"], stdin="\n".join(commands) + "\n")

    def exec_argv(self, ns: str, argv: Sequence[str]) -> list[str]:
        """argv that runs ``argv`` inside ``ns``; every step execs, so the child's PID is the program's."""
        inner = list(argv)
        hosts = self.etc / ns / "hosts"
        if self.holder is not None and hosts.is_file():
            inner = ["sh", "-c", _BIND_HOSTS, str(hosts), *inner]
        return [*self.prefix(), IP, "netns", "exec", ns, *inner]

    def exec(self, ns: str, argv: Sequence[str], stdin: str | None = None, timeout: float = 30.0) -> str:
        return run(self.exec_argv(ns, argv), stdin, timeout)

    def sh(self, ns: str, script: str) -> str:
        return self.exec(ns, ["sh", "-c", script])

    def existing(self) -> set[str]:
        out = self.run([IP, "netns", "list"])
        return {line.split()[0] for line in out.splitlines() if line.strip()}

    def add(self, names: Sequence[str]) -> None:
        self.batch([f"netns add {ns}" for ns in names])

    def pids(self, ns: str) -> list[int]:
        try:
            return [int(p) for p in self.run([IP, "netns", "pids", ns]).split()]
        except DataPlaneError:  # gone, or (rootless) the holder with it
            return []

    def delete(self, ns: str) -> None:
        if ns in self.existing():
            self.run([IP, "netns", "del", ns])
        self.remove_hosts_file(ns)

    def write_hosts_file(self, ns: str, entries: dict[str, list[str]]) -> Path:
        directory = self.etc / ns
        directory.mkdir(parents=True, exist_ok=True)
        lines = ["127.0.0.1 localhost", "::1 localhost"]
        for name, ips in sorted(entries.items()):
            lines += [f"{ip} {name}" for ip in ips]
        path = directory / "hosts"
        text = "\n".join(lines) + "\n"
        if path.is_file() and path.read_text() == text:
            return path
        # Replace, never rewrite in place: a resolver reading a truncated file finds no entry, falls back to
        # DNS (unreachable in here) and a curl run during a converge times out resolving the ALB's name.
        tmp = directory / "hosts.tmp"
        tmp.write_text(text)
        os.replace(tmp, path)
        return path

    def remove_hosts_file(self, ns: str) -> None:
        directory = self.etc / ns
        if directory.is_dir():
            shutil.rmtree(directory)
