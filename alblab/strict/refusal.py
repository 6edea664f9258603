"""A refused request and the answer AWS gives for it, in each protocol's own error form.

ELBv2 (query protocol): ``<ErrorResponse><Error><Type>Sender</Type><Code>..`` with HTTP 400; EC2 (ec2
protocol): ``<Response><Errors><Error><Code>..``; WAFv2 (JSON 1.1): ``{"__type": .., "Message": ..}``. The
SDKs (boto3, the Go SDK inside the Terraform provider) read the code and message from exactly these places.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from xml.sax.saxutils import escape

ELBV2_NAMESPACE = "http://elasticloadbalancing.amazonaws.com/doc/2015-12-01/"


@dataclass
class Refusal(Exception):
    """What AWS answers to a request it refuses: an error code and AWS's message."""

    code: str
    message: str
    status: int = 400

    def __str__(self) -> str:
        return f"{self.code}: {self.message}"


@dataclass(frozen=True)
class Answer:
    status: str
    headers: list[tuple[str, str]]
    body: bytes


_REASONS = {400: "Bad Request", 404: "Not Found", 409: "Conflict"}


def render(refusal: Refusal, protocol: str) -> Answer:
    request_id = str(uuid.uuid4())
    status = f"{refusal.status} {_REASONS.get(refusal.status, 'Error')}"
    if protocol == "json":
        body = json.dumps({"__type": refusal.code, "Message": refusal.message}).encode()
        headers = [("Content-Type", "application/x-amz-json-1.1"), ("x-amzn-ErrorType", refusal.code)]
    elif protocol == "ec2":
        body = (
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            f"<Response><Errors><Error><Code>{escape(refusal.code)}</Code>"
            f"<Message>{escape(refusal.message)}</Message></Error></Errors>"
            f"<RequestID>{request_id}</RequestID></Response>"
        ).encode()
        headers = [("Content-Type", "text/xml;charset=UTF-8")]
    else:
        body = (
            f'<ErrorResponse xmlns="{ELBV2_NAMESPACE}"><Error><Type>Sender</Type>'
            f"<Code>{escape(refusal.code)}</Code><Message>{escape(refusal.message)}</Message></Error>"
            f"<RequestId>{request_id}</RequestId></ErrorResponse>"
        ).encode()
        headers = [("Content-Type", "text/xml")]
    headers += [("x-amzn-RequestId", request_id), ("Content-Length", str(len(body)))]
    return Answer(status, headers, body)
