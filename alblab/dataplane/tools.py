"""Where the programs the data plane runs are: looked up once, in PATH and the sbin directories.

A normal user's PATH on Debian and Ubuntu has no /usr/sbin, where ip, nft, haproxy and nginx live; rootless
mode runs them as that user, so they are found here and always run by absolute path.
"""

from __future__ import annotations

import functools
import os
import shutil

_SBIN = ("/usr/local/sbin", "/usr/sbin", "/sbin")
# program -> the Debian package that installs it (for the message when it is missing)
PACKAGES = {
    "ip": "iproute2",
    "ss": "iproute2",
    "nft": "nftables",
    "haproxy": "haproxy",
    "curl": "curl",
    "nginx": "nginx-light",
    "unshare": "util-linux",
    "nsenter": "util-linux",
}


@functools.cache
def find(program: str) -> str | None:
    path = os.pathsep.join([os.environ.get("PATH", os.defpath), *_SBIN])
    return shutil.which(program, path=path)


def path(program: str) -> str:
    """The absolute path of ``program`` (its bare name when it is nowhere: the error then names it)."""
    return find(program) or program


def missing(programs: list[str]) -> str | None:
    """None when all are installed; else what to install, in one line."""
    absent = [p for p in programs if find(p) is None]
    if not absent:
        return None
    packages = " ".join(sorted({PACKAGES.get(p, p) for p in absent}))
    return f"the data plane needs {', '.join(absent)}: install them (apt-get install {packages})"
