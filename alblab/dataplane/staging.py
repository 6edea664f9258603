"""The moment between two states of a plane: what may stay open while HAProxy moves from one to the other.

A converge opens before it closes: first every security-group rule of the old state and of the new one
(and the backends keep their old ports), then HAProxy reloads to the new state, then the rules and ports
only the old state had go. So a request that either state serves never meets a closed door because the
plane changed faster or slower than the API did.
"""

from __future__ import annotations

import dataclasses

from alblab.model import SecurityGroup, SgRule, Stack


def _union(old: tuple[SgRule, ...], new: tuple[SgRule, ...]) -> tuple[SgRule, ...]:
    # The side that holds the other as it is: a converge that only opens (or only closes) then renders the
    # same ruleset text twice and applies it once.
    if set(old) <= set(new):
        return new
    if set(new) <= set(old):
        return old
    return new + tuple(rule for rule in old if rule not in new)


def widened(old: Stack, new: Stack) -> Stack:
    """``new`` with each of its security groups holding the rules it had in ``old`` as well."""
    groups: dict[str, SecurityGroup] = {}
    for gid, group in new.security_groups.items():
        before = old.security_groups.get(gid)
        if before is None:
            groups[gid] = group
            continue
        groups[gid] = dataclasses.replace(
            group, ingress=_union(before.ingress, group.ingress), egress=_union(before.egress, group.egress)
        )
    return dataclasses.replace(new, security_groups=groups)
