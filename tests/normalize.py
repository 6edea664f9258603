"""Make command output comparable across runs.

Only values the emulator invents per run are replaced; everything a participant should compare with the
docs (names, ports, IP addresses, status codes, texts) is kept. The whole list:

- instance ids ``i-<hex>``             -> ``i-xxxxxxxx``
- security group ids ``sg-<hex>``      -> ``sg-xxxxxxxx``
- other EC2 ids (vpc, subnet, rule)    -> ``<prefix>-xxxxxxxx``
- the numeric part of an ALB DNS name  -> ``<name>-xxxxxxxx.<region>.elb.amazonaws.com``
- the ALB node a request reached       -> ``10.50.N.254`` (the DNS name lists both nodes in the order
  the API lists the ALB's subnets, which varies per run; the data plane gives node n the subnet's .254)
- ELBv2 ARNs                           -> ``arn:aws:elasticloadbalancing:…/<kind>/<name>/xxxxxxxx``
- the web console's port and token     -> ``http://127.0.0.1:PORT/?token=TOKEN``
"""

from __future__ import annotations

import re

_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"\b(i|sg|sgr|vpc|subnet)-[0-9a-f]{8,17}\b"), r"\1-xxxxxxxx"),
    (re.compile(r"\b10\.50\.\d+\.254\b"), "10.50.N.254"),
    (
        re.compile(r"\b([a-z0-9-]+)-\d+\.([a-z0-9-]+)\.elb\.amazonaws\.com\b"),
        r"\1-xxxxxxxx.\2.elb.amazonaws.com",
    ),
    (
        re.compile(
            r"(arn:aws:elasticloadbalancing:[a-z0-9-]+:\d+:[a-z-]+/[^\s/]+(?:/[^\s/]+)?)/[0-9a-f]{16}"
        ),
        r"\1/xxxxxxxx",
    ),
    (re.compile(r"\b(http://127\.0\.0\.1:)\d+/\?token=[A-Za-z0-9_-]+"), r"\1PORT/?token=TOKEN"),
)


def normalize(text: str) -> str:
    for pattern, replacement in _PATTERNS:
        text = pattern.sub(replacement, text)
    return "\n".join(line.rstrip() for line in text.strip("\n").splitlines())
