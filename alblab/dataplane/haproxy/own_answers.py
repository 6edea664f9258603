"""What the ALB answers itself: its error pages, the requests it refuses, and 502 for a failed target.

ALB's documented codes (load-balancer-troubleshooting.html, load-balancer-limits.html): 400 for a request
line or single header over 16 K or headers over 64 K in all, 405 for TRACE, 463 for more than 30
X-Forwarded-For addresses, 502 when a target refuses or resets the connection or closes it with a request
outstanding (no retry), 502 for a response header over 32 K, 503 when the group has no target, 504 when a
target does not answer within the idle timeout. The page is the short HTML ALB serves with
``Server: awselb/2.0``.
"""

from __future__ import annotations

from alblab.dataplane.documented import (
    HEADER_LINE_MAX,
    REQUEST_HEADERS_MAX,
    REQUEST_LINE_MAX,
    RESPONSE_HEADERS_MAX,
    XFF_MAX_ADDRESSES,
)
from alblab.dataplane.haproxy.names import cfg_word

SERVER = "awselb/2.0"
REASONS = {
    400: "Bad Request",
    405: "Method Not Allowed",
    408: "Request Time-out",
    463: "",
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Temporarily Unavailable",
    504: "Gateway Time-out",
}
# HAProxy's own errors that ALB's page replaces (a 503 of HAProxy's is a failed connection to a target:
# see after_response_lines).
HAPROXY_ERRORS = (400, 408, 500, 502, 504)
# Set by every response that comes from a target (http-response rules run for those only).
FROM_TARGET = "txn.from_target"


def error_page(code: int) -> str:
    title = f"{code} {REASONS.get(code, '')}".rstrip()
    return (
        f"<html>\r\n<head><title>{title}</title></head>\r\n<body>\r\n"
        f"<center><h1>{title}</h1></center>\r\n</body>\r\n</html>\r\n"
    )


def _reply(code: int, shown: int | None = None) -> str:
    """The part of a return/http-error line after the status: ALB's page for ``shown`` (default ``code``)."""
    page = cfg_word(error_page(shown or code))
    return f"content-type text/html string {page} hdr Server {SERVER}"


def answer(code: int, condition: str) -> str:
    """``http-request return`` of ALB's page for ``code`` when ``condition`` holds."""
    return f"http-request return status {code} {_reply(code)} if {condition}"


def http_error_lines() -> list[str]:
    """For the defaults: ALB's page instead of HAProxy's wherever HAProxy answers an error itself."""
    lines = [f"http-error status {code} {_reply(code)}" for code in HAPROXY_ERRORS]
    # HAProxy says 503 when it could not connect to the chosen target; ALB says 502 (the status is
    # changed after the fact by after_response_lines; the page is already the 502 one).
    lines.append(f"http-error status 503 {_reply(503, 502)}")
    return lines


def request_check_lines() -> list[str]:
    """The frontend's first rules: requests ALB refuses before it routes them."""
    return [
        # The URL stands for the request line (method and version add a few bytes).
        answer(400, f"{{ url,length gt {REQUEST_LINE_MAX} }}"),
        answer(400, f"{{ req.hdrs,length gt {REQUEST_HEADERS_MAX} }}"),
        answer(400, "{ req.hdrs -m reg " + cfg_word(f"[^\\r\\n]{{{HEADER_LINE_MAX + 1}}}") + " }"),
        answer(405, "METH_TRACE"),
        # req.hdr_cnt counts comma-separated values over every X-Forwarded-For line.
        answer(463, f"{{ req.hdr_cnt(x-forwarded-for) gt {XFF_MAX_ADDRESSES} }}"),
    ]


def response_lines() -> list[str]:
    """The frontend's http-response rules: mark a target's answer; one with too large a header is a 502."""
    return [
        f"http-response set-var({FROM_TARGET}) bool(1)",
        f"http-response return status 502 {_reply(502)} if {{ res.hdrs,length gt {RESPONSE_HEADERS_MAX} }}",
    ]


def after_response_lines() -> list[str]:
    """The last word on what the ALB answers itself (a target's answer is never touched).

    A 503 of HAProxy's own with a target chosen (refused, reset, timed out connecting) is ALB's 502; a 503
    with no target chosen is the no-target answer of the backend or a fixed response, and stays. Then every
    status line of the ALB's own says ALB's reason phrase (HAProxy's for 502 is "Bad Gateway or Proxy Error").
    """
    own = f"!{{ var({FROM_TARGET}) -m found }}"
    failed = f"{{ status 503 }} {{ srv_id -m found }} {own}"
    return [
        f'http-after-response set-status 502 reason "{REASONS[502]}" if {failed}',
        *(
            f'http-after-response set-status {code} reason "{reason}" if {{ status {code} }} {own}'
            for code, reason in REASONS.items()
            if reason
        ),
    ]


def no_target_lines() -> list[str]:
    """For a backend with no server at all: ALB's 503 for a group without targets.

    Decided when rendering, not with ``nbsrv``: HAProxy's server counters read 0 for a moment while a
    reloaded worker applies the saved server states, which turned requests into 503s during a converge.
    A group with servers always has one to take a request (unchecked ones, or the fail-open twins).
    """
    return [f"http-request return status 503 {_reply(503)}"]
