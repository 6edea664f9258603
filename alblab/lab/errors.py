"""The lab's one error: a problem the participant can fix, with a message that says how."""

from __future__ import annotations

from alblab.errors import AlblabError


class LabError(AlblabError):
    """Printed as it is; the lab keeps running, so the participant can fix the cause and go on."""
