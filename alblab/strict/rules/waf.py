"""WAFv2: a web ACL is associated with a load balancer of its own region."""

from __future__ import annotations

from alblab.strict.refusal import Refusal
from alblab.strict.registry import rule
from alblab.strict.request import ApiCall
from alblab.strict.rules import docs
from alblab.strict.world import World, arn_region

NONEXISTENT = "AWS WAF couldn't perform the operation because your resource doesn't exist."


@rule(
    "waf-association", "wafv2", ("AssociateWebACL",), ("WAFNonexistentItemException",), docs.ASSOCIATE_WEB_ACL
)
def same_region(call: ApiCall, world: World) -> None:
    resource = str(call.params.get("ResourceArn", ""))
    acl = str(call.params.get("WebACLArn", ""))
    if arn_region(acl) != world.region:
        raise Refusal("WAFNonexistentItemException", NONEXISTENT)
    if ":elasticloadbalancing:" in resource and world.load_balancer(resource) is None:
        raise Refusal("WAFNonexistentItemException", NONEXISTENT)
