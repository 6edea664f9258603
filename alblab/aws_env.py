"""Where alblab's AWS calls go: the region, the services the examples touch, the emulator's environment.

Its own module so that the state readers and the workspace know these facts without importing the emulator.
"""

from __future__ import annotations

import os

REGION = "us-east-1"
# Every AWS service the examples touch; each gets the emulator as its endpoint.
SERVICES = ("ec2", "elbv2", "sts", "iam", "acm", "s3", "wafv2", "route53")


# The key of moto's default account; a stack signs with a key of its own account (alblab.accounts).
DEFAULT_KEY = "test"


def fake_aws_env(endpoint: str, access_key: str = DEFAULT_KEY) -> dict[str, str]:
    """Environment that makes boto3 and Terraform talk only to ``endpoint`` with throw-away keys."""
    env = {
        "AWS_ACCESS_KEY_ID": access_key,
        "AWS_SECRET_ACCESS_KEY": "test",
        "AWS_SESSION_TOKEN": "test",
        "AWS_DEFAULT_REGION": REGION,
        "AWS_REGION": REGION,
        # No instance-metadata lookups and no profile from the caller's ~/.aws can sneak in.
        "AWS_EC2_METADATA_DISABLED": "true",
        "AWS_CONFIG_FILE": os.devnull,
        "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
        "AWS_ENDPOINT_URL": endpoint,
    }
    for service in SERVICES:
        env[f"AWS_ENDPOINT_URL_{service.upper()}"] = endpoint
    return env
