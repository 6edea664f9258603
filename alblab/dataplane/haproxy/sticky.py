"""ALB's stickiness cookies: AWSALB (a target of a group) and AWSALBTG (a group of a weighted forward).

As ALB sends them (https://docs.aws.amazon.com/elasticloadbalancing/latest/application/sticky-sessions.html):
on every response, with ``Expires`` seven days ahead (never ``Max-Age``), beside a ``*CORS`` twin with
``SameSite=None; Secure``. The stickiness duration is kept inside the value (``<name>|<epoch it ends>``),
renewed by every response; a cookie past it, or naming a target that is down or gone, is ignored: the
request is routed as one without a cookie and the response carries a new cookie. ALB encrypts the value;
here it is in clear (see docs/differences.md).
"""

from __future__ import annotations

from alblab.dataplane.documented import STICKY_COOKIE_EXPIRES_S
from alblab.dataplane.haproxy.names import cfg_word

LB_COOKIE = "AWSALB"
TG_COOKIE = "AWSALBTG"
NOW = "txn.now"


def clock_lines() -> list[str]:
    """The frontend's clock, read by every freshness test below (one date per request)."""
    return [f"http-request set-var({NOW}) date"]


def names(cookie: str, name: str) -> str:
    """ACL terms: ``cookie`` names ``name`` and its stickiness duration has not run out."""
    return (
        f"{{ req.cook({cookie}),field(1,|) -m str {cfg_word(name)} }} "
        f"{{ req.cook({cookie}),field(2,|),sub({NOW}) gt 0 }}"
    )


def set_cookie_lines(cookie: str, name_fmt: str, duration_s: int, condition: str = "") -> list[str]:
    """``http-response`` lines that send ``cookie`` (and its CORS twin) naming ``name_fmt`` (log-format)."""
    value = f"{name_fmt}|%[date({duration_s})]"
    attributes = f"Expires=%[date({STICKY_COOKIE_EXPIRES_S}),http_date]; Path=/"
    suffix = f" if {condition}" if condition else ""
    return [
        "http-response add-header Set-Cookie " + cfg_word(f"{cookie}={value}; {attributes}") + suffix,
        "http-response add-header Set-Cookie "
        + cfg_word(f"{cookie}CORS={value}; {attributes}; SameSite=None; Secure")
        + suffix,
    ]
