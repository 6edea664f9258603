"""Root or rootless: which mode the data plane runs in here, why it cannot, and the rootless holder.

Root mode creates the namespaces on the host, as ``ip netns`` always did. Rootless mode starts one *holder*
process, ``unshare -Urnm``: a user namespace in which the caller is root, a mount namespace with a private
tmpfs on /run (so ``ip netns add`` can create /run/netns) and a network namespace of its own. Every
namespace of the plane is made from inside it and lives as long as the holder or a process using it does.
Killing our processes and then the holder removes everything: there is nothing on the host to clean.
"""

from __future__ import annotations

import functools
import os
import stat
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Literal

from alblab.dataplane import procs, tools
from alblab.dataplane.errors import DataPlaneError, UnavailableError
from alblab.dataplane.procs import ProcId

Mode = Literal["root", "rootless"]
MODE_VAR = "ALBLAB_DATAPLANE"
UNSHARE = tools.path("unshare")
HOLDER_SCRIPT = "mount -t tmpfs -o mode=0755 alblab /run && mkdir /run/netns && exec sleep infinity"
# Unix socket paths are limited to 107 bytes: HAProxy's sockets live under a short directory.
ROOT_SOCK_DIR = Path("/run/alblab")
TOOLS = ["ip", "nft", "haproxy", "curl"]
ROOTLESS_TOOLS = ["unshare", "nsenter"]
# (sysctl, value that forbids unprivileged user namespaces, value that allows them, what it means)
_USERNS_SWITCHES = (
    ("user.max_user_namespaces", 0, 10000, "they are off here"),
    ("kernel.unprivileged_userns_clone", 0, 1, "they are off here"),
    ("kernel.apparmor_restrict_unprivileged_userns", 1, 0, "AppArmor restricts them, as on Ubuntu 23.10+"),
)


def euid() -> int:
    """The effective uid; its own name so tests can pretend another user for this module alone (patching
    ``os.geteuid`` would change it for every thread of the test process)."""
    return os.geteuid()


def _sysctl(name: str) -> int | None:
    try:
        return int(Path("/proc/sys", *name.split(".")).read_text().strip())
    except (OSError, ValueError):
        return None


def _missing_tools(mode: Mode) -> str | None:
    return tools.missing(TOOLS + (ROOTLESS_TOOLS if mode == "rootless" else []))


@functools.cache
def _trial_unshare() -> str | None:
    """Make (and at once drop) the holder's namespaces: None when that works, else what failed."""
    try:
        proc = subprocess.run(
            [UNSHARE, "-Urnm", "sh", "-c", "mount -t tmpfs alblab /run"],
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        return str(exc)
    if proc.returncode == 0:
        return None
    return (
        proc.stderr.strip().splitlines()[-1] if proc.stderr.strip() else f"unshare exited {proc.returncode}"
    )


def userns_problem() -> str | None:
    """None when this user can make the holder's namespaces; else the cause and the fix, in one line."""
    failed = _trial_unshare()
    if failed is None:
        return None
    head = "the data plane needs root or unprivileged user namespaces, and"
    for name, off, on, cause in _USERNS_SWITCHES:
        if _sysctl(name) == off:
            return f"{head} {cause} ({name}={off}): sudo sysctl -w {name}={on}, or run as root"
    return f"{head} this user cannot create one here ({failed}): run as root, or allow user namespaces"


def availability() -> str | None:
    """None when a data plane can run here (as root, or rootless); else one line: the cause and the fix.

    Creates nothing that outlives the call (rootless: one trial ``unshare``, a few milliseconds, cached)."""
    return problem()


def run_mode() -> Mode:
    """The mode a new data plane runs in here: "root" or "rootless" (see :func:`chosen_mode`)."""
    return chosen_mode()


def chosen_mode() -> Mode:
    """root when running as root, else rootless; ``ALBLAB_DATAPLANE=root|rootless`` forces one."""
    forced = os.environ.get(MODE_VAR, "").strip()
    if forced in ("root", "rootless"):
        return forced  # type: ignore[return-value]
    if forced:
        raise UnavailableError(f"{MODE_VAR}={forced!r}: use root, rootless, or leave it unset")
    return "root" if euid() == 0 else "rootless"


def problem(mode: Mode | None = None) -> str | None:
    """None when a data plane can run here in ``mode`` (default: the chosen one); else the one-line why."""
    try:
        mode = mode or chosen_mode()
    except UnavailableError as exc:
        return str(exc)
    if mode == "root" and euid() != 0:
        return f"{MODE_VAR}=root but this process is not root: run it as root, or use rootless mode"
    return _missing_tools(mode) or (userns_problem() if mode == "rootless" else None)


def require(mode: Mode | None = None) -> Mode:
    mode = mode or chosen_mode()
    why = problem(mode)
    if why:
        raise UnavailableError(why)
    return mode


def sock_dir(mode: Mode, prefix: str) -> Path:
    """Where HAProxy's sockets go: seen by the CLI outside and by HAProxy inside (not the holder's /run)."""
    if mode == "root":
        return ROOT_SOCK_DIR / prefix
    return Path(tempfile.gettempdir()) / f"alblab-{os.getuid()}" / prefix


def make_sock_dir(path: Path) -> None:
    """Create it; rootless, its parent in the shared /tmp must be this user's own and private."""
    if path.parent != ROOT_SOCK_DIR:
        try:
            path.parent.mkdir(mode=0o700, exist_ok=True)
            info = path.parent.lstat()
        except OSError as exc:
            raise DataPlaneError(f"cannot create {path.parent} for the data plane's sockets: {exc}") from exc
        if not stat.S_ISDIR(info.st_mode) or info.st_uid != os.getuid() or info.st_mode & 0o077:
            raise DataPlaneError(
                f"{path.parent} is not a private directory of this user: remove it, try again"
            )
    path.mkdir(parents=True, exist_ok=True)


def start_holder(log: Path, marker: str) -> ProcId:
    """Start the holder; returns at once, so the caller records it before :func:`wait_holder`."""
    popen = procs.spawn([UNSHARE, "-Urnm", "sh", "-c", HOLDER_SCRIPT], log, marker)
    return procs.identify(popen)


def wait_holder(holder: ProcId, log: Path, timeout: float = 10.0) -> None:
    """Poll until the holder has made its /run/netns and waits (its command line is then ``sleep``)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not holder.running():
            text = log.read_text(errors="replace").strip() if log.exists() else ""
            raise DataPlaneError(
                f"the rootless holder exited: {text.splitlines()[-1] if text else 'no output'}"
            )
        try:
            if Path(f"/proc/{holder.pid}/cmdline").read_bytes().startswith(b"sleep\0"):
                return
        except OSError:
            pass
        time.sleep(0.005)
    raise DataPlaneError(f"the rootless holder (pid {holder.pid}) was not ready after {timeout} s")
