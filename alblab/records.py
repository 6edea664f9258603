"""The state directory: where it is, who owns it, one lock, and JSON records written atomically.

Each front end keeps its state in one directory (``$ALBLAB_HOME``, default ``~/.alblab``; the lab and the
pytest plugin use their own). Records are replaced in one ``os.replace``, never rewritten in place, so a
Ctrl-C or a killed process leaves either the old record or the new one, never half of one.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import json
import os
import pwd
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from alblab.errors import BusyError, StateError

HOME_ENV = "ALBLAB_HOME"
LOCK_NAME = "lock"


def default_home() -> Path:
    """``$ALBLAB_HOME``, else ``~/.alblab`` of the user who ran the command — under sudo, the user who ran
    sudo, so that ``sudo alblab ...`` and ``alblab ...`` share one state directory."""
    override = os.environ.get(HOME_ENV)
    if override:
        return Path(override).expanduser().resolve()
    sudo_user = os.environ.get("SUDO_USER")
    if os.geteuid() == 0 and sudo_user and sudo_user != "root":
        with contextlib.suppress(KeyError):
            return Path(pwd.getpwnam(sudo_user).pw_dir) / ".alblab"
    return Path("~/.alblab").expanduser().resolve()


def owner_name(uid: int) -> str:
    try:
        return pwd.getpwuid(uid).pw_name
    except KeyError:
        return f"uid {uid}"


def check_owner(home: Path, me: int | None = None) -> None:
    """A clear message instead of a PermissionError when the state belongs to another user.

    root may use anyone's state directory (``sudo alblab down`` cleans a user's session); a user may not
    use root's.
    """
    if not home.exists():
        return
    uid = home.stat().st_uid
    me = os.geteuid() if me is None else me
    if uid == me or me == 0:
        return
    raise StateError(
        f"the alblab state in {home} belongs to {owner_name(uid)}; run this command as "
        f"{owner_name(uid)} (e.g. 'sudo alblab down' to clean it), or set {HOME_ENV} to a directory of yours"
    )


def ensure_home(home: Path) -> Path:
    check_owner(home)
    home.mkdir(parents=True, exist_ok=True)
    sudo_uid, sudo_gid = os.environ.get("SUDO_UID"), os.environ.get("SUDO_GID")
    if os.geteuid() == 0 and sudo_uid and home.stat().st_uid == 0 and home == default_home():
        # Created by `sudo alblab` in the invoking user's home: hand it back to that user.
        with contextlib.suppress(OSError, ValueError):
            os.chown(home, int(sudo_uid), int(sudo_gid or sudo_uid))
    return home


def write_json(path: Path, data: Any) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(json.dumps(data, indent=1, sort_keys=True) + "\n")
    os.replace(tmp, path)


class DamagedRecord(StateError):
    """A record that cannot be read (a truncated write, a full disk, a hand edit): ``alblab down`` cleans up
    without it, by the marks below."""


DOWN_WITHOUT_RECORD = "run 'alblab down': it cleans up without the record and keeps the file for inspection"


def read_json(path: Path) -> Any | None:
    try:
        return json.loads(path.read_text())
    except FileNotFoundError:
        return None
    except ValueError as exc:  # JSONDecodeError, and UnicodeDecodeError for bytes that are not text
        raise DamagedRecord(f"{path} is not valid JSON ({exc}); {DOWN_WITHOUT_RECORD}") from exc


def unreadable(path: Path) -> bool:
    """Whether the record ``path`` exists but is not JSON (truncated, garbage)."""
    try:
        read_json(path)
    except DamagedRecord:
        return True
    return False


def set_aside(path: Path, into: Path | None = None) -> Path:
    """Move a damaged record out of the way for inspection, beside itself or into the directory ``into`` (when
    its own goes); returns where it went."""
    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
    folder = into or path.parent
    target = folder / f"{path.name}.damaged-{stamp}"
    n = 1
    while target.exists():
        n += 1
        target = folder / f"{path.name}.damaged-{stamp}-{n}"
    os.replace(path, target)
    return target


# Every process a session starts carries this entry in its environment, the state directory as its value (the
# data plane's carry it in their plane marker, see DataPlane's owner): what a scan of /proc matches when the
# record naming their PIDs is lost — and never another state directory's processes.
MARK_ENV = "ALBLAB_STATE_DIR"


def mark(home: Path) -> dict[str, str]:
    """The environment entry that marks a process as ``home``'s (resolved: one spelling per directory)."""
    return {MARK_ENV: str(Path(home).resolve())}


def mark_entry(home: Path) -> bytes:
    """``mark(home)`` as it reads in /proc/PID/environ."""
    return "".join(f"{k}={v}" for k, v in mark(home).items()).encode()


@contextlib.contextmanager
def locked(home: Path, what: str) -> Iterator[None]:
    """One mutating command at a time per state directory; a second one is told who holds it."""
    path = home / LOCK_NAME
    with path.open("a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            if exc.errno not in (errno.EAGAIN, errno.EACCES):
                raise
            handle.seek(0)
            holder = handle.read().strip() or "another alblab command"
            raise BusyError(f"{holder} is running on {home}; wait for it to finish (or stop it)") from exc
        handle.seek(0)
        handle.truncate()
        handle.write(f"alblab {what} (pid {os.getpid()})")
        handle.flush()
        try:
            yield
        finally:
            handle.seek(0)
            handle.truncate()
            fcntl.flock(handle, fcntl.LOCK_UN)


def wait_free(home: Path, timeout: float) -> bool:
    """Wait until no process holds ``home``'s lock (a pytest worker still cleaning up); True once free."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            with locked(home, "waiting"):
                return True
        except BusyError:
            if time.monotonic() > deadline:
                return False
            time.sleep(0.2)
