"""ALB actions (forward, weighted forward, redirect, fixed-response) as HAProxy rules.

The frontend first stores the number of the matching rule in ``txn.rule`` (priority order, 0 = default
action); every action below fires only for its rule number. That keeps ALB's single priority order even
though HAProxy runs all ``http-request`` rules before any ``use_backend``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from alblab.dataplane.haproxy import sticky
from alblab.dataplane.haproxy.names import backend_name, cfg_word, lf_literal
from alblab.model import Action, FixedResponse, Listener, Redirect, Stack

DEFAULT_RULE = 0
_PLACEHOLDER = re.compile(r"#\{(protocol|host|port|path|query)\}")


def is_rule(number: int) -> str:
    return f"{{ var(txn.rule) -m int eq {number} }}"


@dataclass
class ActionLines:
    """Config lines one action contributes, by the place they must go in the frontend."""

    http_request: list[str] = field(default_factory=list)
    use_backend: list[str] = field(default_factory=list)
    http_response: list[str] = field(default_factory=list)

    def extend(self, other: ActionLines) -> None:
        self.http_request += other.http_request
        self.use_backend += other.use_backend
        self.http_response += other.http_response


def fixed_response_lines(number: int, fixed: FixedResponse) -> ActionLines:
    status = int(fixed.status_code)
    if fixed.message_body == "":
        # HAProxy ignores content-type without a payload; ALB sends the header with an empty body.
        line = f"http-request return status {status} hdr content-type {cfg_word(fixed.content_type)}"
    else:
        line = (
            f"http-request return status {status} content-type {cfg_word(fixed.content_type)} "
            f"string {cfg_word(fixed.message_body)}"
        )
    return ActionLines(http_request=[f"{line} if {is_rule(number)}"])


def _expand(template: str, listener: Listener) -> str:
    """A redirect component as a log-format string; the listener's own values are constants."""
    pieces: list[str] = []
    pos = 0
    for m in _PLACEHOLDER.finditer(template):
        pieces.append(lf_literal(template[pos : m.start()]))
        key = m.group(1)
        if key == "protocol":
            pieces.append(listener.protocol.lower())
        elif key == "port":
            pieces.append(str(listener.port))
        elif key == "host":
            pieces.append("%[req.hdr(host),field(1,:)]")
        elif key == "path":
            pieces.append("%[path,regsub(^/,)]")  # ALB: #{path} is the path without its leading '/'
        else:
            pieces.append("%[query]")
        pos = m.end()
    pieces.append(lf_literal(template[pos:]))
    return "".join(pieces)


def redirect_location(redirect: Redirect, listener: Listener) -> tuple[str, str]:
    """(location without query, query) as log-format strings."""
    protocol = _expand(redirect.protocol, listener).lower()
    port = _expand(redirect.port, listener)
    host = _expand(redirect.host, listener)
    path = _expand(redirect.path, listener)
    return f"{protocol}://{host}:{port}{path}", _expand(redirect.query, listener)


def redirect_lines(number: int, redirect: Redirect, listener: Listener) -> ActionLines:
    code = int(redirect.status_code.removeprefix("HTTP_"))
    base, query = redirect_location(redirect, listener)
    cond = is_rule(number)
    if query == "":
        return ActionLines(
            http_request=[f"http-request redirect location {cfg_word(base)} code {code} if {cond}"]
        )
    if "%[" not in query:
        loc = cfg_word(f"{base}?{query}")
        return ActionLines(http_request=[f"http-request redirect location {loc} code {code} if {cond}"])
    # A query made of placeholders may come out empty: ALB then sends no '?'.
    var = f"txn.rq{number}"
    return ActionLines(
        http_request=[
            f"http-request set-var-fmt({var}) {cfg_word(query)} if {cond}",
            f"http-request redirect location {cfg_word(f'{base}?%[var({var})]')} code {code} "
            f"if {cond} {{ var({var}) -m len gt 0 }}",
            f"http-request redirect location {cfg_word(base)} code {code} if {cond}",
        ]
    )


def forward_lines(number: int, action: Action, stack: Stack) -> ActionLines:
    """Forward to one target group, or pick one by weight (and by AWSALBTG when group stickiness is on)."""
    groups = [
        (backend_name(stack.target_groups[g.target_group_arn]), g.weight)
        for g in action.target_groups
        if g.target_group_arn in stack.target_groups
    ]
    cond = is_rule(number)
    live = [(name, weight) for name, weight in groups if weight > 0]
    if len(groups) == 1:
        return ActionLines(use_backend=[f"use_backend {groups[0][0]} if {cond}"])
    if not live:
        return ActionLines()  # nothing to forward to: HAProxy answers 503 like an ALB with no targets
    out = ActionLines()
    if action.stickiness_enabled:
        for name, _ in live:
            out.use_backend.append(f"use_backend {name} if {cond} {sticky.names(sticky.TG_COOKIE, name)}")
        out.http_response += sticky.set_cookie_lines(
            sticky.TG_COOKIE, "%[be_name]", action.stickiness_duration, cond
        )
    total = sum(weight for _, weight in live)
    pick = f"txn.pick{number}"
    out.http_request.append(f"http-request set-var({pick}) rand({total}) if {cond}")
    upper = 0
    for name, weight in live[:-1]:
        upper += weight
        out.use_backend.append(f"use_backend {name} if {cond} {{ var({pick}) -m int lt {upper} }}")
    out.use_backend.append(f"use_backend {live[-1][0]} if {cond}")
    return out


def action_lines(number: int, action: Action, listener: Listener, stack: Stack) -> ActionLines:
    if action.type == "fixed-response":
        if action.fixed_response is None:
            raise ValueError(f"rule {number}: fixed-response action without its configuration")
        return fixed_response_lines(number, action.fixed_response)
    if action.type == "redirect":
        return redirect_lines(number, action.redirect or Redirect(), listener)
    if action.type == "forward":
        return forward_lines(number, action, stack)
    raise ValueError(f"rule {number}: unknown action type {action.type!r}")
