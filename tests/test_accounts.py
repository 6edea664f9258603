"""An emulated AWS account per stack: the access key names the account, the emulator keeps accounts apart.

The request side follows AWS's documented signing formats: the SigV4 ``Authorization`` header carries
``Credential=<access key ID>/<date>/<region>/<service>/aws4_request``, a presigned URL carries the same in its
``X-Amz-Credential`` query parameter
(https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv-authentication-methods.html); account IDs
are 12 digits (https://docs.aws.amazon.com/accounts/latest/reference/manage-acct-identifiers.html); access
key IDs of long-term keys begin with ``AKIA``
(https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_identifiers.html#identifiers-unique-ids).
GetCallerIdentity answers the account of the credentials that sign the call
(https://docs.aws.amazon.com/STS/latest/APIReference/API_GetCallerIdentity.html).
"""

from __future__ import annotations

import io
import urllib.request
from collections.abc import Iterable, Iterator
from typing import Any

import boto3
import pytest
from botocore.config import Config

from alblab import accounts
from alblab.emulator import Emulator
from alblab.state import aws_clients

A, B = "111122223333", "444455556666"


def test_a_key_names_its_account_and_nothing_else_does() -> None:
    key = accounts.key_for(A)
    assert key == "AKIA111122223333ALBL" and len(key) == 20
    assert accounts.account_of(key) == A
    for other in ("test", "AKIAIOSFODNN7EXAMPLE", f"x{key}", f"{key}x", "AKIA11112222333ALBL"):
        assert accounts.account_of(other) is None
    with pytest.raises(ValueError, match="12 digits"):
        accounts.key_for("12345")


def test_new_accounts_are_12_digits_never_the_default_nor_taken() -> None:
    taken: set[str] = set()
    for _ in range(200):
        account = accounts.new_account(taken)
        assert len(account) == 12 and account.isdigit()
        assert account != accounts.DEFAULT_ACCOUNT and account not in taken
        taken.add(account)


@pytest.mark.parametrize(
    ("environ", "key"),
    [
        (
            {
                "HTTP_AUTHORIZATION": "AWS4-HMAC-SHA256 Credential=AKIA111122223333ALBL/20130524/us-east-1/"
                "ec2/aws4_request, SignedHeaders=host;x-amz-date, Signature=fe5f80f7"
            },
            "AKIA111122223333ALBL",
        ),
        (
            {"HTTP_AUTHORIZATION": "AWS AKIA111122223333ALBL:frJIUN8DYpKDtOLCwo//yllqDzg="},
            accounts.key_for(A),
        ),
        (
            {
                "QUERY_STRING": "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIA444455556666ALBL%2F"
                "20130524%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Signature=abc"
            },
            "AKIA444455556666ALBL",
        ),
        ({"QUERY_STRING": "AWSAccessKeyId=AKIA444455556666ALBL&Signature=x"}, "AKIA444455556666ALBL"),
        ({"QUERY_STRING": "Action=DescribeVpcs"}, None),
        ({}, None),
    ],
)
def test_the_key_of_a_request_header_or_presigned(environ: dict[str, str], key: str | None) -> None:
    assert accounts.key_in_request(environ) == key


def run(app: accounts.AccountFromKey, environ: dict[str, Any]) -> dict[str, Any]:
    seen: dict[str, Any] = {}

    def inner(env: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        seen.update(env)
        start_response("200 OK", [])
        return [b""]

    app.app = inner
    list(app({"wsgi.input": io.BytesIO(b""), **environ}, lambda *_a: None))
    return seen


def test_the_middleware_sets_the_account_only_for_our_keys_and_never_overrides_the_caller() -> None:
    app = accounts.AccountFromKey(lambda _e, _s: [])
    signed = {"HTTP_AUTHORIZATION": "AWS4-HMAC-SHA256 Credential=AKIA111122223333ALBL/2013/us-east-1/ec2/x"}
    assert run(app, signed)[accounts.ACCOUNT_HEADER] == A
    other = {"HTTP_AUTHORIZATION": "AWS4-HMAC-SHA256 Credential=test/2013/us-east-1/ec2/aws4_request"}
    assert accounts.ACCOUNT_HEADER not in run(app, other)
    assert run(app, {**signed, accounts.ACCOUNT_HEADER: B})[accounts.ACCOUNT_HEADER] == B


@pytest.fixture(scope="module")
def emulator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Emulator]:
    with Emulator(state_dir=tmp_path_factory.mktemp("accounts")) as emu:
        yield emu


def sts_account(endpoint: str, key: str) -> str:
    sts = boto3.client(
        "sts",
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id=key,
        aws_secret_access_key="s",
    )
    return str(sts.get_caller_identity()["Account"])


def test_each_key_is_its_own_account_in_the_emulator(emulator: Emulator) -> None:
    endpoint = emulator.endpoint
    assert sts_account(endpoint, accounts.key_for(A)) == A
    assert sts_account(endpoint, accounts.key_for(B)) == B
    assert sts_account(endpoint, "test") == accounts.DEFAULT_ACCOUNT
    made = {}
    for account in (A, B):
        clients = aws_clients(endpoint, access_key=accounts.key_for(account))
        vpc = clients.ec2.create_vpc(CidrBlock="10.9.0.0/16")["Vpc"]["VpcId"]
        # The same name in both accounts: on one account the second would be a duplicate.
        group = clients.ec2.create_security_group(GroupName="fixed", Description="d", VpcId=vpc)["GroupId"]
        tg = clients.elbv2.create_target_group(Name="fixed-tg", Protocol="HTTP", Port=80, VpcId=vpc)
        made[account] = (vpc, group, tg["TargetGroups"][0]["TargetGroupArn"])
    for account in (A, B):
        vpc, group, tg_arn = made[account]
        assert f":{account}:targetgroup/fixed-tg/" in tg_arn
        clients = aws_clients(endpoint, access_key=accounts.key_for(account))
        vpcs = {v["VpcId"] for v in clients.ec2.describe_vpcs()["Vpcs"] if not v.get("IsDefault")}
        assert vpcs == {vpc}
        groups = clients.ec2.describe_security_groups(Filters=[{"Name": "group-name", "Values": ["fixed"]}])
        assert [(g["GroupId"], g["OwnerId"]) for g in groups["SecurityGroups"]] == [(group, account)]
        tgs = clients.elbv2.describe_target_groups(Names=["fixed-tg"])["TargetGroups"]
        assert [t["TargetGroupArn"] for t in tgs] == [tg_arn]


def test_a_presigned_url_reads_its_own_accounts_bucket(emulator: Emulator) -> None:
    endpoint = emulator.endpoint
    for account, body in ((A, b"from A"), (B, b"from B")):
        s3 = aws_clients(endpoint, access_key=accounts.key_for(account)).s3
        s3.create_bucket(Bucket=f"logs-{account}")
        s3.put_object(Bucket=f"logs-{account}", Key="k", Body=body)
    s3 = aws_clients(endpoint, access_key=accounts.key_for(B)).s3
    assert {b["Name"] for b in s3.list_buckets()["Buckets"]} == {f"logs-{B}"}
    v4 = boto3.client(
        "s3",
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id=accounts.key_for(B),
        aws_secret_access_key="x",
        config=Config(signature_version="s3v4"),
    )
    for client, credential in ((s3, "AWSAccessKeyId="), (v4, "X-Amz-Credential=")):
        url = client.generate_presigned_url("get_object", Params={"Bucket": f"logs-{B}", "Key": "k"})
        assert f"{credential}AKIA444455556666ALBL" in url
        with urllib.request.urlopen(url, timeout=10) as answer:  # no Authorization header: the query's key
            assert answer.read() == b"from B"


def test_the_strict_layer_checks_a_request_against_its_own_accounts_state(emulator: Emulator) -> None:
    """AWS refuses a load balancer in one subnet: "You must specify subnets from at least two Availability
    Zones" (https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_CreateLoadBalancer.html).
    The strict layer reads the subnet from moto's state in the account the request is filed under; read from
    moto's default account it would be unknown there, and the request would reach moto, which accepts it."""
    clients = aws_clients(emulator.endpoint, access_key=accounts.key_for(A))
    vpc = clients.ec2.create_vpc(CidrBlock="10.8.0.0/16")["Vpc"]["VpcId"]
    subnet = clients.ec2.create_subnet(VpcId=vpc, CidrBlock="10.8.1.0/24", AvailabilityZone="us-east-1a")
    with pytest.raises(clients.elbv2.exceptions.ClientError) as refused:
        clients.elbv2.create_load_balancer(Name="one-subnet", Subnets=[subnet["Subnet"]["SubnetId"]])
    assert refused.value.response["Error"]["Code"] == "ValidationError"
    assert "two subnets" in refused.value.response["Error"]["Message"]
    assert not clients.elbv2.describe_load_balancers()["LoadBalancers"]
