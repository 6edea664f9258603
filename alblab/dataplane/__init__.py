"""The local ALB data plane: network namespaces, SG→nftables, stand-in backends and HAProxy nodes.

Everything here is driven by :class:`alblab.model.Stack` (the live API state), never by .tf files.
This package's names are its whole public face; nothing outside it needs a module below it::

    from alblab.dataplane import DataPlane, DataPlaneError, HttpResult, availability, teardown_saved
    from alblab.dataplane import Attempt, LoopRequest, RequestLoop   # traffic while something changes
    from alblab.dataplane import teardown_owned  # planes whose plane.json is lost, by their owner's mark
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

# name -> module that defines it. Lazy: the stand-in backend (python -m alblab.dataplane.backend) must
# start fast, without importing HAProxy rendering and cryptography it never uses.
_HOMES = {
    "DataPlane": "plane",
    "DataPlaneTimeout": "plane",
    "HttpResult": "client",
    "LoggedRequest": "requestlog",
    "Reach": "client",
    "AlbNode": "views",
    "TargetHost": "views",
    "DataPlaneError": "errors",
    "UnavailableError": "errors",
    "teardown_saved": "teardown",
    "teardown_owned": "teardown",
    "owned_processes": "teardown",
    "Attempt": "loop",
    "LoopRequest": "loop",
    "RequestLoop": "loop",
    "availability": "sandbox",
    "run_mode": "sandbox",
    "Mode": "sandbox",
}
__all__ = sorted(_HOMES)


def __getattr__(name: str) -> Any:
    if name in _HOMES:
        return getattr(import_module(f"alblab.dataplane.{_HOMES[name]}"), name)
    raise AttributeError(name)
