"""What a process pays before it does its job: the commands that never call the AWS API load neither boto3 nor
cryptography, and the boto3 clients of one process share one parsed copy of the service models."""

from __future__ import annotations

import subprocess
import sys

from alblab import state

HEAVY = ("boto3", "botocore", "cryptography")


def test_the_cli_and_the_lab_client_load_no_aws_sdk_and_no_cryptography() -> None:
    # The entry point of `alblab` (so `alblab lab next`, `--help`, a usage mistake) and the lab client.
    code = (
        "import sys, alblab.cli, alblab.lab.client, alblab.session\n"
        f"print(' '.join(m for m in {HEAVY!r} if m in sys.modules))"
    )
    loaded = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    ).stdout.split()
    assert loaded == [], f"imported at start-up: {loaded}"


def test_clients_share_one_model_loader() -> None:
    # A new botocore session would parse EC2's model again (0.3 CPU-s): each shares the first's loader.
    first, second = state._botocore_session(), state._botocore_session()
    assert first is not second
    assert first.get_component("data_loader") is second.get_component("data_loader")
    clients = state.aws_clients("http://127.0.0.1:9", access_key="AKIA111122223333ALBL")
    assert clients.ec2.meta.endpoint_url == "http://127.0.0.1:9"
    assert clients.elbv2.meta.region_name == state.REGION
