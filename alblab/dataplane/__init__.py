"""The local ALB data plane: network namespaces, SG→nftables, stand-in backends and HAProxy nodes.

Everything here is driven by :class:`alblab.model.Stack` (the live API state), never by .tf files.
"""

from __future__ import annotations

from typing import Any

__all__ = ["DataPlane", "DataPlaneError", "HttpResult", "availability", "teardown_saved"]


def __getattr__(name: str) -> Any:
    # Lazy: the stand-in backend (python -m alblab.dataplane.backend) must start fast, without
    # importing HAProxy rendering and cryptography it never uses.
    if name == "availability":
        from alblab.dataplane.netns import privilege_problem

        return privilege_problem
    if name in __all__:
        from alblab.dataplane import plane

        return getattr(plane, name)
    raise AttributeError(name)
