"""Which emulator alblab serves: ``strict`` (default: moto behind the checks AWS makes) or ``lenient`` (plain
moto, for debugging). Chosen by ``ALBLAB_EMULATOR``; pure, so the CLI can check the value before it starts
anything."""

from __future__ import annotations

import os

ENV_VAR = "ALBLAB_EMULATOR"
MODES = ("strict", "lenient")
DEFAULT = "strict"


class ModeError(ValueError):
    pass


def emulator_mode(environ: dict[str, str] | None = None) -> str:
    """The mode ``ALBLAB_EMULATOR`` asks for; unset or empty means ``strict``."""
    value = (os.environ if environ is None else environ).get(ENV_VAR, "").strip().lower() or DEFAULT
    if value not in MODES:
        raise ModeError(f"{ENV_VAR} must be one of {', '.join(MODES)}, not {value!r}")
    return value
