"""One AWS API request as the strict layer sees it: service, operation, region, account and the parameters,
parsed into the operation's input shape the way moto parses them (its query and ec2 protocol parsers,
driven by botocore's service model)."""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from functools import cache
from typing import Any
from urllib.parse import parse_qsl

from botocore.model import OperationModel, ServiceModel
from moto.core.parse import EC2QueryParser, QueryParser
from moto.core.responses import BaseResponse
from moto.core.utils import get_service_model

from alblab.strict.refusal import Refusal

# The services the strict layer checks: signing name (the Authorization header's credential scope) ->
# (botocore service name, protocol). Everything else goes to moto untouched.
CHECKED = {"elasticloadbalancing": ("elbv2", "query"), "ec2": ("ec2", "ec2"), "wafv2": ("wafv2", "json")}
ELBV2_VERSION = "2015-12-01"  # classic ELB shares the signing name with version 2012-06-01
DEFAULT_ACCOUNT = "123456789012"
_SCOPE = re.compile(r"Credential=([^/,\s]+)/\d{8}/([^/]+)/([^/]+)/aws4_request")


@dataclass(frozen=True)
class Target:
    """Where a request goes, known from its headers alone (before its body is read)."""

    service: str
    protocol: str
    region: str
    account: str


@dataclass(frozen=True)
class ApiCall:
    service: str
    protocol: str
    operation: str
    region: str
    account: str
    params: dict[str, Any]
    model: OperationModel

    @property
    def mutating(self) -> bool:
        return not self.operation.startswith(("Describe", "Get", "List"))


def target_of(environ: dict[str, Any]) -> Target | None:
    """The checked service a request is for, with its region and account; None for anything else."""
    match = _SCOPE.search(environ.get("HTTP_AUTHORIZATION", ""))
    if match is None or match.group(3) not in CHECKED:
        return None
    access_key, scope_region, signing_name = match.groups()
    service, protocol = CHECKED[signing_name]
    return Target(service, protocol, _region(environ, scope_region), _account(environ, access_key))


def _region(environ: dict[str, Any], scope_region: str) -> str:
    # moto's own order (BaseResponse.get_region_from_url): the host name, the user agent, the signature.
    host = f"{environ.get('HTTP_HOST', '')}{environ.get('PATH_INFO', '')}"
    for regex, text in (
        (BaseResponse.region_regex, host),
        (BaseResponse.region_from_useragent_regex, environ.get("HTTP_USER_AGENT", "")),
    ):
        found = regex.search(text)
        if found:
            return str(found.group(1))
    return scope_region


def _account(environ: dict[str, Any], access_key: str) -> str:
    """The account moto files the request under (BaseResponse.get_current_account): the MOTO_ACCOUNT_ID
    variable, the x-moto-account-id header (set per stack in front of this layer), the account owning the
    access key, else the default account."""
    if "MOTO_ACCOUNT_ID" in os.environ:
        return os.environ["MOTO_ACCOUNT_ID"]
    header = environ.get("HTTP_X_MOTO_ACCOUNT_ID")
    if header:
        return str(header)
    from moto.iam.models import get_account_id_from

    return str(get_account_id_from(access_key)) if access_key else DEFAULT_ACCOUNT


@cache
def service_model(service: str) -> ServiceModel:
    return get_service_model(service)


def parse(target: Target, environ: dict[str, Any], body: bytes) -> ApiCall | None:
    """The request's operation and parameters; None when it is not an API call of the service (moto
    answers those as it does today). A body that cannot be parsed is refused as AWS refuses it."""
    model = service_model(target.service)
    if target.protocol == "json":
        action = str(environ.get("HTTP_X_AMZ_TARGET", "")).rpartition(".")[2]
        if action not in model.operation_names:
            return None
        try:
            params = json.loads(body or b"{}")
        except ValueError as exc:
            raise Refusal("SerializationException", "The request body is not valid JSON") from exc
        return ApiCall(
            target.service,
            "json",
            action,
            target.region,
            target.account,
            params,
            model.operation_model(action),
        )
    values = dict(parse_qsl(environ.get("QUERY_STRING", ""), keep_blank_values=True))
    values.update(parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True))
    action = values.get("Action", "")
    if action not in model.operation_names:
        return None
    if target.service == "elbv2" and values.get("Version", ELBV2_VERSION) != ELBV2_VERSION:
        return None
    operation = model.operation_model(action)
    parser = (EC2QueryParser if target.protocol == "ec2" else QueryParser)(operation, map_type=dict)
    try:
        params = parser.parse({"values": values})  # type: ignore[typeddict-item]
    except (ValueError, TypeError) as exc:
        # A number that is not one: the query protocol's own refusal, before any constraint is looked at.
        raise Refusal(
            "ValidationError" if target.service == "elbv2" else "InvalidParameterValue", str(exc)
        ) from exc
    return ApiCall(target.service, target.protocol, action, target.region, target.account, params, operation)
