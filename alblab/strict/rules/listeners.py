"""Listeners, rules and actions: security policies, certificates, what a forward may reach, redirects,
condition limits, priorities and the rules quota."""

from __future__ import annotations

from typing import Any

from alblab.strict.refusal import Refusal
from alblab.strict.registry import rule
from alblab.strict.request import ApiCall
from alblab.strict.rules import docs
from alblab.strict.ssl_policies import policies
from alblab.strict.world import World, arn_region

LISTENER_OPS = ("CreateListener", "ModifyListener")
ACTION_OPS = ("CreateListener", "ModifyListener", "CreateRule", "ModifyRule")
MAX_CERTIFICATES = 25
MAX_RULES = 100
MAX_CONDITION_VALUES = 5
MAX_WILDCARDS = 5
_HOST_CHARS = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.*?")


def forwarded_groups(actions: list[dict[str, Any]]) -> list[str]:
    """Target group ARNs the actions forward to (plain and weighted forwards)."""
    arns = []
    for action in actions:
        if action.get("Type") != "forward":
            continue
        if action.get("TargetGroupArn"):
            arns.append(action["TargetGroupArn"])
        for entry in (action.get("ForwardConfig") or {}).get("TargetGroups") or []:
            if entry.get("TargetGroupArn"):
                arns.append(entry["TargetGroupArn"])
    return arns


class Context:
    """The load balancer and listener a request's actions belong to, and the listener's protocol and port
    once the request is applied."""

    def __init__(self, call: ApiCall, world: World) -> None:
        params = call.params
        self.lb: Any = None
        self.listener: Any = None
        if call.operation == "CreateListener":
            self.lb = world.load_balancer(params.get("LoadBalancerArn", ""))
        elif call.operation in ("ModifyListener", "CreateRule"):
            self.lb, self.listener = world.listener(params.get("ListenerArn", ""))
        elif call.operation == "ModifyRule":
            self.lb, self.listener, _rule = world.rule(params.get("RuleArn", ""))
        stored_protocol = getattr(self.listener, "protocol", None)
        stored_port = getattr(self.listener, "port", None)
        if call.operation in LISTENER_OPS:
            self.protocol = params.get("Protocol") or stored_protocol
            self.port = params.get("Port") or stored_port
        else:
            self.protocol, self.port = stored_protocol, stored_port
        self.actions = params.get("DefaultActions") or params.get("Actions") or []


@rule("listener-ssl-policy", "elbv2", LISTENER_OPS, ("SSLPolicyNotFound",), docs.SSL_POLICIES)
def ssl_policy_exists(call: ApiCall, _world: World) -> None:
    name = call.params.get("SslPolicy")
    if name is not None and name not in policies():
        raise Refusal("SSLPolicyNotFound", f"SSL policy '{name}' not found")


@rule(
    "listener-certificates",
    "elbv2",
    (*LISTENER_OPS, "AddListenerCertificates"),
    ("CertificateNotFound", "InvalidConfigurationRequest"),
    docs.CREATE_LISTENER,
)
def certificates(call: ApiCall, world: World) -> None:
    arns = [c.get("CertificateArn", "") for c in call.params.get("Certificates") or []]
    if call.operation == "CreateListener" and call.params.get("Protocol") == "HTTPS" and not arns:
        raise Refusal(
            "InvalidConfigurationRequest",
            "You must provide a list containing exactly one certificate if the listener protocol is HTTPS.",
        )
    for arn in arns:
        unknown = arn_region(arn) not in ("", world.region)
        if call.operation == "AddListenerCertificates" and world.elbv2 is not None and not unknown:
            unknown = not world.elbv2._certificate_exists(certificate_arn=arn)
        if unknown:
            raise Refusal("CertificateNotFound", f"Certificate '{arn}' not found")


@rule(
    "listener-certificate-quota",
    "elbv2",
    ("AddListenerCertificates",),
    ("TooManyCertificates",),
    docs.QUOTAS,
)
def certificates_per_load_balancer(call: ApiCall, world: World) -> None:
    lb, listener = world.listener(call.params.get("ListenerArn", ""))
    if lb is None:
        return
    new = {c.get("CertificateArn", "") for c in call.params.get("Certificates") or []} - set(
        listener.certificates
    )
    extra = sum(
        len([c for c in each.certificates if c != each.certificate]) for each in lb.listeners.values()
    )
    if extra + len(new) > MAX_CERTIFICATES:
        raise Refusal(
            "TooManyCertificates", "You've reached the limit on the number of certificates per load balancer"
        )


@rule(
    "action-target-groups",
    "elbv2",
    ACTION_OPS,
    ("IncompatibleProtocols", "InvalidConfigurationRequest", "TargetGroupAssociationLimit"),
    docs.PROTOCOL_VERSION,
)
def forward_targets(call: ApiCall, world: World) -> None:
    context = Context(call, world)
    if context.lb is None:
        return
    for arn in forwarded_groups(context.actions):
        group = world.target_group(arn)
        if group is None:
            continue  # moto answers TargetGroupNotFound
        version = (group.protocol_version or "HTTP1").upper()
        if version in ("HTTP2", "GRPC") and context.protocol != "HTTPS":
            raise Refusal(
                "IncompatibleProtocols",
                f"Target group '{arn}' has protocol version '{version}', which needs an HTTPS listener, "
                f"not {context.protocol}",
            )
        if group.vpc_id and group.vpc_id != context.lb.vpc_id:
            raise Refusal(
                "InvalidConfigurationRequest",
                f"Target group '{arn}' is in VPC '{group.vpc_id}', "
                f"the load balancer in '{context.lb.vpc_id}'",
            )
        for other, listener in world.listeners():
            if other.arn == context.lb.arn:
                continue
            actions = [a.data for r in list(listener.rules.values()) for a in r.actions]
            if arn in forwarded_groups(actions):
                raise Refusal(
                    "TargetGroupAssociationLimit",
                    "The following target groups cannot be associated with more than one load balancer: "
                    + arn,
                )


@rule("action-redirect", "elbv2", ACTION_OPS, ("ValidationError", "InvalidLoadBalancerAction"), docs.REDIRECT)
def redirects(call: ApiCall, world: World) -> None:
    context = Context(call, world)
    for action in context.actions:
        config = action.get("RedirectConfig") if action.get("Type") == "redirect" else None
        if not config:
            continue
        path = config.get("Path")
        if path is not None and not path.startswith("/"):
            raise Refusal("ValidationError", f"The redirect path '{path}' must start with '/'")
        protocol = config.get("Protocol") or "#{protocol}"
        if context.protocol == "HTTPS" and protocol == "HTTP":
            raise Refusal("InvalidLoadBalancerAction", "An HTTPS listener cannot redirect to HTTP")
        same_protocol = protocol in ("#{protocol}", context.protocol)
        same_port = (config.get("Port") or "#{port}") in ("#{port}", str(context.port))
        same_host = (config.get("Host") or "#{host}") == "#{host}"
        same_path = (path or "/#{path}") == "/#{path}"
        if same_protocol and same_port and same_host and same_path:
            raise Refusal(
                "InvalidLoadBalancerAction",
                "The redirect must change the protocol, host, port or path, or it would redirect to itself",
            )


def _condition_values(condition: dict[str, Any]) -> tuple[list[str], list[str]]:
    """(every value the condition counts against the quota, the strings whose wildcards count)."""
    values: list[str] = list(condition.get("Values") or [])
    for key in (
        "HostHeaderConfig",
        "PathPatternConfig",
        "HttpHeaderConfig",
        "HttpRequestMethodConfig",
        "SourceIpConfig",
    ):
        values += (condition.get(key) or {}).get("Values") or []
    wild = [v for v in values if condition.get("Field") in ("host-header", "path-pattern", "http-header")]
    if condition.get("Field") == "http-header":
        wild.append((condition.get("HttpHeaderConfig") or {}).get("HttpHeaderName", ""))
    for pair in (condition.get("QueryStringConfig") or {}).get("Values") or []:
        values.append(pair.get("Value", ""))
        # In query strings, \* and \? are the literal characters.
        wild += [
            s.replace("\\*", "").replace("\\?", "") for s in (pair.get("Key") or "", pair.get("Value") or "")
        ]
    return values, wild


@rule(
    "rule-conditions",
    "elbv2",
    ("CreateRule", "ModifyRule"),
    ("ValidationError",),
    docs.CONDITIONS,
)
def conditions(call: ApiCall, _world: World) -> None:
    values: list[str] = []
    wild: list[str] = []
    for condition in call.params.get("Conditions") or []:
        more, wilder = _condition_values(condition)
        values += more
        wild += wilder
        if condition.get("Field") == "host-header":
            for host in more:
                tail = host.rsplit(".", 1)[-1]
                if (
                    set(host) - _HOST_CHARS
                    or "." not in host
                    or not tail.replace("*", "").replace("?", "").isalpha()
                ):
                    raise Refusal(
                        "ValidationError",
                        f"The host-header value '{host}' is not valid: letters, digits, '-', '_', '.', '*' "
                        "and '?', at least one '.', and only letters after the last '.'",
                    )
        name = (condition.get("HttpHeaderConfig") or {}).get("HttpHeaderName", "")
        if condition.get("Field") == "http-header" and name.lower() == "host":
            raise Refusal(
                "ValidationError", "The http-header condition cannot match the Host header; use host-header"
            )
    if len(values) > MAX_CONDITION_VALUES:
        raise Refusal("ValidationError", f"A rule can only have '{MAX_CONDITION_VALUES}' condition values")
    wildcards = sum(s.count("*") + s.count("?") for s in wild)
    if wildcards > MAX_WILDCARDS:
        raise Refusal("ValidationError", f"A rule can only have '{MAX_WILDCARDS}' wildcards")


@rule("rule-priority", "elbv2", ("CreateRule", "SetRulePriorities"), ("PriorityInUse",), docs.CREATE_RULE)
def priorities_unique(call: ApiCall, world: World) -> None:
    if call.operation == "CreateRule":
        _lb, listener = world.listener(call.params.get("ListenerArn", ""))
        wanted = [(None, listener, call.params.get("Priority"))]
    else:
        wanted = []
        for entry in call.params.get("RulePriorities") or []:
            _lb, listener, _rule = world.rule(entry.get("RuleArn", ""))
            wanted.append((entry.get("RuleArn"), listener, entry.get("Priority")))
    moving = {arn for arn, _listener, _priority in wanted}
    for _arn, listener, priority in wanted:
        if listener is None or priority is None:
            continue
        for other in list(listener._non_default_rules.values()):
            if other.arn not in moving and int(other.priority) == int(priority):
                raise Refusal("PriorityInUse", f"Priority '{priority}' is currently in use")


@rule("rules-quota", "elbv2", ("CreateRule",), ("TooManyRules",), docs.QUOTAS)
def rules_per_load_balancer(call: ApiCall, world: World) -> None:
    lb, _listener = world.listener(call.params.get("ListenerArn", ""))
    if lb is not None and len(world.rules_of(lb)) >= MAX_RULES:
        raise Refusal("TooManyRules", "You've reached the limit on the number of rules per load balancer")
