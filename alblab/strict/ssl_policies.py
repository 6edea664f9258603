"""The security policies an ALB's HTTPS listener accepts: a copy of modules/listener/ssl-policies.json (the
one home of the list) shipped inside the package; tests/test_strict_layer.py keeps the two equal.

DescribeSSLPolicies answers this list. moto knows protocols and ciphers for some of the policies; those it
does not know are listed with their name and load balancer type only.
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any
from xml.sax.saxutils import escape

from alblab.strict.refusal import ELBV2_NAMESPACE, Refusal


@cache
def policies() -> tuple[str, ...]:
    data = json.loads(resources.files("alblab.strict").joinpath("ssl-policies.json").read_text())
    return tuple(data["policies"])


def describe(params: dict[str, Any], request_id: str) -> bytes:
    """The DescribeSSLPolicies answer (XML) for the requested names, or all of them."""
    from moto.elbv2.ssl_policies import SSL_POLICIES

    names = params.get("Names") or list(policies())
    unknown = [n for n in names if n not in policies()]
    if unknown:
        raise Refusal("SSLPolicyNotFound", f"SSL policy '{unknown[0]}' not found")
    members = []
    for name in dict.fromkeys(names):
        known = SSL_POLICIES.get(name, {})
        protocols = "".join(f"<member>{escape(p)}</member>" for p in known.get("ssl_protocols", []))
        ciphers = "".join(
            f"<member><Name>{escape(c)}</Name><Priority>{i}</Priority></member>"
            for i, c in enumerate(known.get("ciphers", []), start=1)
        )
        members.append(
            f"<member><Name>{escape(name)}</Name><SslProtocols>{protocols}</SslProtocols>"
            f"<Ciphers>{ciphers}</Ciphers>"
            "<SupportedLoadBalancerTypes><member>application</member></SupportedLoadBalancerTypes></member>"
        )
    return (
        f'<DescribeSSLPoliciesResponse xmlns="{ELBV2_NAMESPACE}"><DescribeSSLPoliciesResult>'
        f"<SslPolicies>{''.join(members)}</SslPolicies></DescribeSSLPoliciesResult>"
        f"<ResponseMetadata><RequestId>{request_id}</RequestId></ResponseMetadata></DescribeSSLPoliciesResponse>"
    ).encode()
