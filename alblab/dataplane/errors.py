"""The one exception family of the data plane: every message is one line a CLI can print as it is."""

from __future__ import annotations


class DataPlaneError(RuntimeError):
    """Something the data plane cannot do, said in one line (cause, and the fix when there is one)."""


class UnavailableError(DataPlaneError):
    """No data plane can run here (neither root nor usable user namespaces, or a tool is missing)."""
