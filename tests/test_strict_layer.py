"""The strict layer's own parts, without a server: the API-model shape messages, the request parsing and
account choice, the WSGI behaviour around moto (a refusal never reaches it; an accepted request reaches it
with its body intact), the mode switch, and the SSL policy list kept equal to the module's."""

from __future__ import annotations

import io
import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest

from alblab.emulator import Emulator, EmulatorError
from alblab.strict import shapes
from alblab.strict.mode import ModeError, emulator_mode
from alblab.strict.refusal import Refusal
from alblab.strict.request import service_model, target_of
from alblab.strict.ssl_policies import policies
from alblab.strict.wsgi import StrictLayer, wrap

ROOT = Path(__file__).parents[1]
SCOPE = "AWS4-HMAC-SHA256 Credential=test/20261203/us-east-1/elasticloadbalancing/aws4_request, Signature=x"


def test_the_packaged_ssl_policy_list_is_the_modules() -> None:
    """The one home of the list is modules/listener/ssl-policies.json; the package ships a copy."""
    module_list = json.loads((ROOT / "modules" / "listener" / "ssl-policies.json").read_text())["policies"]
    packaged = json.loads((ROOT / "alblab" / "strict" / "ssl-policies.json").read_text())["policies"]
    assert packaged == module_list
    assert list(policies()) == module_list


def test_shape_messages_in_aws_form() -> None:
    """Coral's wording, as AWS answers it: https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/CommonErrors.html
    (ValidationError: "The input fails to satisfy the constraints specified by an AWS service");
    message form seen in AWS answers, e.g. "Value '0' at 'port' failed to satisfy constraint"."""
    shape = service_model("elbv2").operation_model("CreateTargetGroup").input_shape
    found = list(
        shapes.violations(
            shape, {"Name": "web", "Port": 0, "Tags": [{"Key": "k", "Value": "a#b"}], "Protocol": "X"}
        )
    )
    assert (
        "Value '0' at 'port' failed to satisfy constraint: Member must have value greater than or equal to 1"
        in found
    )
    assert any(
        f.startswith("Value 'a#b' at 'tags.1.member.value' failed to satisfy constraint:") for f in found
    )
    assert any(
        "at 'protocol' failed to satisfy constraint: Member must satisfy enum value set: [" in f
        for f in found
    )
    with pytest.raises(Refusal) as refusal:
        shapes.check(shape, {"Port": 80})
    assert refusal.value.code == "ValidationError"
    assert refusal.value.message == (
        "1 validation error detected: Value null at 'name' failed to satisfy constraint: "
        "Member must not be null"
    )
    assert (
        list(shapes.violations(shape, {"Name": "web", "Port": 80, "Tags": [{"Key": "Team", "Value": "ok"}]}))
        == []
    )


def test_the_account_is_the_one_moto_files_the_request_under(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MOTO_ACCOUNT_ID", raising=False)
    environ = {"HTTP_AUTHORIZATION": SCOPE}
    target = target_of(environ)
    assert target is not None
    assert (target.service, target.region, target.account) == ("elbv2", "us-east-1", "123456789012")
    assert target_of({**environ, "HTTP_X_MOTO_ACCOUNT_ID": "111122223333"}).account == "111122223333"  # type: ignore[union-attr]
    monkeypatch.setenv("MOTO_ACCOUNT_ID", "444455556666")
    assert target_of({**environ, "HTTP_X_MOTO_ACCOUNT_ID": "111122223333"}).account == "444455556666"  # type: ignore[union-attr]
    s3 = SCOPE.replace("elasticloadbalancing", "s3")
    assert target_of({"HTTP_AUTHORIZATION": s3}) is None


class Recorder:
    """A stand-in for moto that records the bodies it was given."""

    def __init__(self) -> None:
        self.bodies: list[bytes] = []

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        self.bodies.append(environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0)))
        start_response("200 OK", [("Content-Type", "text/xml")])
        return [b"<ok/>"]


def request(app: Any, params: dict[str, str]) -> tuple[str, bytes]:
    body = urlencode(params).encode()
    environ = {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": "/",
        "HTTP_AUTHORIZATION": SCOPE,
        "CONTENT_TYPE": "application/x-www-form-urlencoded",
        "CONTENT_LENGTH": str(len(body)),
        "wsgi.input": io.BytesIO(body),
    }
    status: list[str] = []
    out = b"".join(app(environ, lambda s, _h, _e=None: status.append(s)))
    return status[0], out


def test_a_refused_request_never_reaches_moto_and_an_accepted_one_arrives_whole() -> None:
    moto = Recorder()
    layer = StrictLayer(moto, log=lambda _line: None)
    bad = {
        "Action": "CreateTargetGroup",
        "Version": "2015-12-01",
        "Name": "web",
        "Port": "0",
        "Protocol": "HTTP",
    }
    status, body = request(layer, bad)
    assert status.startswith("400")
    assert b"<Code>ValidationError</Code>" in body and b"<Type>Sender</Type>" in body
    assert b"Value '0' at 'port' failed to satisfy constraint" in body
    assert moto.bodies == [] and layer.refused == 1
    good = {**bad, "Port": "8080"}
    assert request(layer, good) == ("200 OK", b"<ok/>")
    assert moto.bodies == [urlencode(good).encode()]


def test_a_malformed_number_is_refused_not_crashed() -> None:
    layer = StrictLayer(Recorder(), log=lambda _line: None)
    status, body = request(
        layer, {"Action": "CreateTargetGroup", "Version": "2015-12-01", "Name": "a", "Port": "x"}
    )
    assert status.startswith("400") and b"<Code>ValidationError</Code>" in body


def test_lenient_is_plain_moto() -> None:
    moto = Recorder()
    assert wrap(moto, "lenient") is moto
    assert isinstance(wrap(moto, "strict"), StrictLayer)


def test_the_mode_switch() -> None:
    assert emulator_mode({}) == "strict"
    assert emulator_mode({"ALBLAB_EMULATOR": "Lenient"}) == "lenient"
    with pytest.raises(ModeError, match="ALBLAB_EMULATOR must be one of strict, lenient, not 'loose'"):
        emulator_mode({"ALBLAB_EMULATOR": "loose"})


def test_a_mistyped_mode_fails_before_the_emulator_starts(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("ALBLAB_EMULATOR", "loose")
    emulator = Emulator(state_dir=tmp_path)
    with pytest.raises(EmulatorError, match="ALBLAB_EMULATOR must be one of"):
        emulator.spawn()
    assert emulator.pid is None


def test_every_rule_is_in_the_differences_table() -> None:
    """docs/differences.md lists each rule (by id) with its AWS source; a new rule must be documented."""
    from alblab.strict import rules as _rules  # noqa: F401  (registers the rules)
    from alblab.strict.registry import RULES

    table = (ROOT / "docs" / "differences.md").read_text()
    for each in RULES:
        row = next((line for line in table.splitlines() if line.startswith(f"| `{each.id}` |")), None)
        assert row is not None, f"rule {each.id} is not in docs/differences.md"
        assert each.source.split("#")[0] in row, f"{each.id}: the table does not cite {each.source}"
        for code in each.codes:
            assert f"`{code}`" in row, f"{each.id}: the table does not name {code}"


def test_a_fault_in_a_rule_lets_moto_answer_and_says_so(monkeypatch: pytest.MonkeyPatch) -> None:
    from alblab.strict import wsgi

    def broken(_call: Any) -> None:
        raise KeyError("a rule's bug")

    monkeypatch.setattr(wsgi, "check", broken)
    moto, lines = Recorder(), []
    layer = StrictLayer(moto, log=lines.append)
    good = {"Action": "CreateTargetGroup", "Version": "2015-12-01", "Name": "web", "Port": "80"}
    assert request(layer, good) == ("200 OK", b"<ok/>")
    assert len(moto.bodies) == 1
    assert "strict check of CreateTargetGroup failed" in lines[0] and "a rule's bug" in lines[1]
