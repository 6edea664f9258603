"""An HTTP request as an ALB listener sees it: what every rule condition is matched against."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from urllib.parse import unquote


@dataclass
class Request:
    """An HTTP request as the ALB sees it.

    ``path`` may carry a ``?query`` (and a ``#fragment``, dropped): its pairs join ``query``. Pairs in
    ``query`` may be percent-encoded or not; both sides are decoded once before comparing.
    A header value may be a list when the header came several times.
    """

    method: str = "GET"
    host: str = ""
    path: str = "/"
    headers: Mapping[str, str | Sequence[str]] = field(default_factory=dict)
    query: Sequence[tuple[str, str]] = field(default_factory=list)
    source_ip: str = ""

    @property
    def path_only(self) -> str:
        return self.path.split("#", 1)[0].split("?", 1)[0]

    @property
    def query_pairs(self) -> list[tuple[str, str]]:
        pairs = [(unquote(k), unquote(v)) for k, v in self.query]
        _, sep, raw = self.path.split("#", 1)[0].partition("?")
        if sep:
            for part in raw.split("&"):
                if part:
                    key, _, value = part.partition("=")
                    pairs.append((unquote(key), unquote(value)))
        return pairs

    def header_values(self, name: str) -> list[str]:
        wanted = name.lower()
        values: list[str] = []
        for key, value in self.headers.items():
            if key.lower() == wanted:
                values.extend([value] if isinstance(value, str) else value)
        return values
