"""The errors a user can cause or meet, each with a message that says what to do next.

Front ends print ``str(error)`` as one line (plus ``detail`` when there is one, e.g. Terraform's own
diagnostic) and exit non-zero; nothing a user can cause should surface as a traceback.
"""

from __future__ import annotations


class AlblabError(Exception):
    """A failure with a message meant for the user. ``detail`` is extra text (e.g. Terraform's output)."""

    exit_code = 1

    def __init__(self, message: str, detail: str = "") -> None:
        super().__init__(message)
        self.detail = detail


class UsageError(AlblabError):
    """Bad input on the command line or to the API: nothing was started."""

    exit_code = 2


class StateError(AlblabError):
    """The saved state does not allow this command (nothing is up, something else is up, another owner)."""


class BusyError(StateError):
    """Another alblab command holds the state directory."""
