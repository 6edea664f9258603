"""An emulated AWS account per stack: the access key names the account, and the emulator keeps them apart.

On AWS, two variants of one configuration with fixed names (an ALB called ``shop``, a target group called
``shop-web``) live in two accounts; in one emulated account the second apply fails with "already exists".
moto keeps accounts apart and takes the account of a request from the ``x-moto-account-id`` header (else the
account that owns the access key, else 123456789012), but the Terraform aws provider cannot send a header of
our choosing. So the account travels in the access key ID itself — ``AKIA<12-digit account>ALBL``, 20
characters like an AWS key ID — and :class:`AccountFromKey`, in front of moto, turns it into that header.
Everything that talks to the emulator for a stack (its Terraform, the state readers, the verdicts, ``down``)
signs with the stack's key; anything else (``test``) lands in moto's default account, as before.

This module imports nothing of ours: the emulator's server process and the session both use it.
"""

from __future__ import annotations

import re
import secrets
import urllib.parse
from collections.abc import Callable, Collection, Iterable
from typing import Any

DEFAULT_ACCOUNT = "123456789012"  # moto's, for requests signed with any other key
ACCOUNT_HEADER = "HTTP_X_MOTO_ACCOUNT_ID"  # the WSGI name of moto's x-moto-account-id header
SECRET_KEY = "test"  # moto checks no signature; only the key ID matters

_KEY = re.compile(r"AKIA(\d{12})ALBL")
# SigV4 ("Credential=KEY/date/region/service/aws4_request") and SigV2 ("AWS KEY:signature") headers.
_HEADER_KEY = re.compile(r"Credential=([A-Za-z0-9]+)/|^AWS ([A-Za-z0-9]+):")

StartResponse = Callable[..., Any]
WsgiApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]


def key_for(account: str) -> str:
    """The access key ID whose requests the emulator serves from ``account``."""
    if not re.fullmatch(r"\d{12}", account):
        raise ValueError(f"an AWS account ID has 12 digits, not {account!r}")
    return f"AKIA{account}ALBL"


def account_of(key: str) -> str | None:
    """The account a key ID of :func:`key_for` names; None for any other key."""
    match = _KEY.fullmatch(key)
    return match.group(1) if match else None


def new_account(taken: Collection[str] = ()) -> str:
    """A fresh 12-digit account ID: not moto's default, not one of ``taken``."""
    while True:
        account = str(secrets.randbelow(9 * 10**11) + 10**11)
        if account != DEFAULT_ACCOUNT and account not in taken:
            return account


def key_in_request(environ: dict[str, Any]) -> str | None:
    """The access key ID a request is signed with: its Authorization header, else a presigned URL's query."""
    match = _HEADER_KEY.search(environ.get("HTTP_AUTHORIZATION", ""))
    if match:
        return match.group(1) or match.group(2)
    query = urllib.parse.parse_qs(environ.get("QUERY_STRING", ""))
    credential = (query.get("X-Amz-Credential") or [""])[0]
    if credential:
        return credential.split("/", 1)[0]
    return (query.get("AWSAccessKeyId") or [None])[0]


class AccountFromKey:
    """WSGI middleware: a request signed with a key of :func:`key_for` is served from that key's account.

    A request that already names its account (the header set by the caller) keeps it."""

    def __init__(self, app: WsgiApp) -> None:
        self.app = app

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        if ACCOUNT_HEADER not in environ:
            key = key_in_request(environ)
            account = account_of(key) if key else None
            if account:
                environ[ACCOUNT_HEADER] = account
        return self.app(environ, start_response)
