"""Thin wrappers over ``ip netns`` / ``ip -batch``: create, configure and delete network namespaces.

Nothing here touches the host's own interfaces or routes: every link is created inside a namespace.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Sequence
from pathlib import Path

IP = shutil.which("ip") or "/usr/sbin/ip"
NETNS_ETC = Path("/etc/netns")


class NetnsError(RuntimeError):
    pass


def run(argv: Sequence[str], stdin: str | None = None, timeout: float = 30.0) -> str:
    proc = subprocess.run(
        list(argv), input=stdin, capture_output=True, text=True, timeout=timeout, check=False
    )
    if proc.returncode != 0:
        raise NetnsError(
            f"{' '.join(argv)} failed ({proc.returncode}): {proc.stderr.strip() or proc.stdout.strip()}"
        )
    return proc.stdout


def batch(commands: Sequence[str], ns: str | None = None) -> None:
    """Many ``ip`` commands in one process (one fork instead of dozens), inside ``ns`` when given."""
    if not commands:
        return
    argv = [IP, *(["-n", ns] if ns else []), "-batch", "-"]
    run(argv, stdin="\n".join(commands) + "\n")


def exec_argv(ns: str, argv: Sequence[str]) -> list[str]:
    """argv that runs ``argv`` inside ``ns``; ``ip netns exec`` execs, so the child's PID is the program's."""
    return [IP, "netns", "exec", ns, *argv]


def sh(ns: str, script: str) -> str:
    return run(exec_argv(ns, ["sh", "-c", script]))


def existing() -> set[str]:
    out = run([IP, "netns", "list"])
    return {line.split()[0] for line in out.splitlines() if line.strip()}


def identify(pid: int) -> str:
    """The name of the namespace ``pid`` lives in ('' when it is the host's or unnamed)."""
    try:
        return run([IP, "netns", "identify", str(pid)]).strip()
    except NetnsError:
        return ""


def pids(ns: str) -> list[int]:
    try:
        return [int(p) for p in run([IP, "netns", "pids", ns]).split()]
    except NetnsError:
        return []


def delete(ns: str) -> None:
    if ns in existing():
        run([IP, "netns", "del", ns])
    remove_hosts_file(ns)


def write_hosts_file(ns: str, entries: dict[str, list[str]]) -> Path:
    """/etc/netns/<ns>/hosts: ``ip netns exec`` bind-mounts it over /etc/hosts inside ``ns`` only."""
    directory = NETNS_ETC / ns
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


def remove_hosts_file(ns: str) -> None:
    directory = NETNS_ETC / ns
    if directory.is_dir():
        shutil.rmtree(directory)


def privilege_problem() -> str | None:
    """None when namespaces can be made here; else a message that says what is missing and what to do."""
    if os.geteuid() == 0:
        if shutil.which("nft") is None or shutil.which("haproxy") is None:
            return "the data plane needs nftables and haproxy (apt-get install nftables haproxy)"
        return None
    max_ns = _read_int("/proc/sys/user/max_user_namespaces")
    clone = _read_int("/proc/sys/kernel/unprivileged_userns_clone")
    if max_ns == 0 or clone == 0:
        return (
            "the data plane needs root (network namespaces, nftables) and unprivileged user namespaces are "
            "disabled here (user.max_user_namespaces=0 or kernel.unprivileged_userns_clone=0): run as root"
        )
    return (
        "the data plane needs root: it creates network namespaces, writes /etc/netns/<ns>/hosts and loads "
        "nftables rules; run it as root (e.g. sudo alblab ...)"
    )


def _read_int(path: str) -> int | None:
    try:
        return int(Path(path).read_text().strip())
    except (OSError, ValueError):
        return None
