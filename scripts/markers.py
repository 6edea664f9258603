"""The generated part of a hand-written document: what lies between two HTML comment markers."""

from __future__ import annotations

from hcl import HclError


def splice(document: str, section: str, begin: str, end: str) -> str:
    """Replace what lies between ``begin`` and ``end``; raise when they are missing."""
    start, stop = document.find(begin), document.find(end)
    if start < 0 or stop < start:
        raise HclError(f"no {begin} ... {end} markers")
    return document[: start + len(begin)] + "\n" + section + document[stop:]
