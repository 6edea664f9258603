"""The repository's scripts/ as importable modules: they import each other as siblings, as when they run."""

from __future__ import annotations

import importlib
import sys
from types import ModuleType

from alblab.sources import REPO_ROOT

SCRIPTS = REPO_ROOT / "scripts"


def load(name: str) -> ModuleType:
    if str(SCRIPTS) not in sys.path:
        sys.path.insert(0, str(SCRIPTS))
    return importlib.import_module(name)
