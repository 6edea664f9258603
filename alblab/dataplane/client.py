"""What the client namespace does: requests to the ALB's name with curl, and direct probes of a host.

Pure: builds argv and reads curl's answers; running them inside the client namespace is the plane's job.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from alblab.dataplane import tools
from alblab.dataplane.errors import DataPlaneError

Reach = Literal["open", "blocked", "refused"]
_HEADER_NAME = set("!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")


@dataclass(frozen=True)
class HttpResult:
    status: int
    status_line: str
    headers: list[tuple[str, str]]
    body: str

    def header(self, name: str) -> str | None:
        return next((v for k, v in self.headers if k.lower() == name.lower()), None)

    def fields(self) -> dict[str, list[str]]:
        """The stand-in app's identity page as ``key -> values``, keys lower-cased: its own keys (instance,
        port, path, peer, ...) first, then every request header it received (a header may repeat, e.g.
        x-forwarded-for). A header named like an identity key comes after it: ``field()`` is the app's."""
        out: dict[str, list[str]] = {}
        for line in self.body.split("\n"):
            key, value = _key_value(line)
            if key:
                out.setdefault(key.lower(), []).append(value)
        return out

    def request_headers(self) -> list[tuple[str, str]]:
        """Every header the target received, in order, names as received ([] without an identity page)."""
        lines = self.body.split("\n")
        for index, line in enumerate(lines):
            key, count = _key_value(line)
            if key == "headers" and count.isdigit():
                return [_key_value(row) for row in lines[index + 1 : index + 1 + int(count)]]
        return []

    def request_header(self, name: str) -> list[str]:
        """The values of one request header as the target received it (name case-insensitive)."""
        return [v for k, v in self.request_headers() if k.lower() == name.lower()]

    def field(self, key: str) -> str | None:
        values = self.fields().get(key)
        return values[0] if values else None


def _key_value(line: str) -> tuple[str, str]:
    """``name: value`` -> (name, value); ("", "") for a line that is not one (a header name has no colon
    and no space; an empty value may have lost its trailing space)."""
    key, colon, value = line.partition(":")
    if not colon or not key or " " in key:
        return "", ""
    return key, value[1:] if value.startswith(" ") else value


def check_port(port: int) -> int:
    if not isinstance(port, int) or not 1 <= port <= 65535:
        raise DataPlaneError(f"port {port!r} is not a TCP port (1-65535)")
    return port


def check_header(header: str) -> str:
    """``Name: value``; curl would silently drop or mangle anything else."""
    name, colon, value = header.partition(":")
    if not colon or not name or set(name) - _HEADER_NAME:
        raise DataPlaneError(f"header {header!r} is not 'Name: value'")
    if "\r" in value or "\n" in value:
        raise DataPlaneError(f"header {name!r} holds a line break")
    return header


def curl_argv(
    url: str,
    method: str,
    host: str | None,
    headers: Sequence[str],
    cookie_jar: Path | None,
    timeout: float,
) -> list[str]:
    if not method or set(method) - _HEADER_NAME:
        raise DataPlaneError(f"method {method!r} is not an HTTP method token")
    argv = [tools.path("curl"), "-sS", "-i", "-k", "--max-time", str(timeout), "-X", method]
    if host:
        argv += ["-H", check_header(f"Host: {host}")]
    for header in headers:
        argv += ["-H", check_header(header)]
    if cookie_jar is not None:
        argv += ["-b", str(cookie_jar), "-c", str(cookie_jar)]
    return [*argv, url]


def parse_curl_output(raw: str) -> HttpResult:
    head, _, body = raw.replace("\r\n", "\n").partition("\n\n")
    lines = head.splitlines()
    if not lines or not lines[0].startswith("HTTP/"):
        raise DataPlaneError(f"no HTTP response: {raw[:200]!r}")
    headers = [(k.strip(), v.strip()) for k, _, v in (line.partition(":") for line in lines[1:])]
    return HttpResult(int(lines[0].split()[1]), lines[0], headers, body)


def probe_argv(ip: str, port: int, timeout: float) -> list[str]:
    return [
        tools.path("curl"), "-sS", "-o", "/dev/null", "--connect-timeout", str(timeout),
        "--max-time", str(timeout + 2), f"http://{ip}:{check_port(port)}/",
    ]  # fmt: skip


def probe_result(returncode: int, stderr: str, target: str) -> Reach:
    """curl's exit code -> what a direct attempt met."""
    if returncode == 28:
        return "blocked"  # dropped: the connection timed out
    if returncode == 7:
        return "refused"
    if returncode in (0, 52, 56):  # an answer, or a connection the far end closed: it got through
        return "open"
    raise DataPlaneError(f"probe of {target} failed (curl rc {returncode}): {stderr.strip()}")
