"""What the AWS documentation states about an ALB's traffic that both the HAProxy nodes and the stand-in
app rely on: one home per fact, each with the page it comes from. Standard library only: the stand-in
backend imports it and must start fast.
"""

from __future__ import annotations

DOCS = "https://docs.aws.amazon.com/elasticloadbalancing/latest/application"
TROUBLESHOOTING = f"{DOCS}/load-balancer-troubleshooting.html"
QUOTAS = f"{DOCS}/load-balancer-limits.html"
STICKY = f"{DOCS}/sticky-sessions.html"
HOST_HEADER = f"{DOCS}/edit-load-balancer-attributes.html#host-header-preservation"

# TROUBLESHOOTING ("A registered target is not in service"): health check requests carry
# `User-Agent: ELB-HealthChecker/2.0` and `Host: <target private IP>:<health check port>`.
HEALTH_CHECK_USER_AGENT = "ELB-HealthChecker/2.0"

# TROUBLESHOOTING, HTTP 463: "The upper limit for IP addresses is 30".
XFF_MAX_ADDRESSES = 30

# QUOTAS, "HTTP headers": request line 16 K, single header 16 K, entire request header 64 K, entire
# response header 32 K (larger requests: HTTP 400; larger responses: HTTP 502, per TROUBLESHOOTING).
REQUEST_LINE_MAX = 16 * 1024
HEADER_LINE_MAX = 16 * 1024
REQUEST_HEADERS_MAX = 64 * 1024
RESPONSE_HEADERS_MAX = 32 * 1024

# STICKY: the load balancer generated cookie "has its own expiry of 7 days which is non-configurable",
# sent as an Expires attribute, never Max-Age; its expiry is reset on every response.
STICKY_COOKIE_EXPIRES_S = 7 * 24 * 3600

# https://docs.aws.amazon.com/elasticloadbalancing/latest/userguide/how-elastic-load-balancing-works.html
# (HTTP headers): from an HTTP/2 client "the following header names are converted to mixed case" before the
# request goes to the target over HTTP/1.1; "all other header names are in lowercase".
MIXED_CASE_HEADERS = (
    "X-Forwarded-For",
    "X-Forwarded-Proto",
    "X-Forwarded-Port",
    "Host",
    "X-Amzn-Trace-Id",
    "Upgrade",
    "Connection",
)

# HOST_HEADER's default ports: no port is appended for them, and one the client sent is removed.
DEFAULT_PORTS = (80, 443)
