"""The lab's Terraform steps against the emulator, without the data plane (no root needed).

All step files together (what a participant has after step 8) must apply cleanly, leave a clean second
plan, and produce what the lab's steps promise: chained security groups, three target groups, the
on-prem IP target. The step-by-step walk with traffic is tests/test_lab.py.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import boto3
import pytest

from alblab.emulator import Emulator
from alblab.lab.resources import read_resources, render_resources
from alblab.lab.steps import BASE_DIR, STEPS
from alblab.workspace import Workspace

pytestmark = [pytest.mark.apply, pytest.mark.timeout(600)]


@pytest.mark.skipif(shutil.which("terraform") is None, reason="terraform not installed")
def test_all_steps_apply_and_replan_clean(tmp_path: Path) -> None:
    with Emulator(state_dir=tmp_path) as emulator:
        ws = Workspace.prepare(BASE_DIR, "labsteps", tmp_path / "work", emulator.endpoint)
        for step in STEPS:
            for source in step.files():
                shutil.copyfile(source, ws.dir / source.name)
        ws.runner.init()
        ws.runner.apply()
        assert ws.runner.plan_exitcode() == 0, ws.runner.plan_changes()

        kw = {
            "endpoint_url": emulator.endpoint,
            "region_name": "us-east-1",
            "aws_access_key_id": "test",
            "aws_secret_access_key": "test",
        }
        res = read_resources(boto3.client("ec2", **kw), boto3.client("elbv2", **kw), "labsteps")
        text = render_resources(res)
        groups = {sg.name: sg.rules for sg in res.security_groups}
        # Step 6 replaced step 1's open rule: only the ALB's group may reach the instances.
        assert groups["labsteps-instances"] == (
            "in  tcp 80  from sg labsteps-alb",
            "out all     to   0.0.0.0/0",
        )
        assert "in  tcp 80  from 0.0.0.0/0" in groups["labsteps-alb"]
        assert "out tcp 80  to   192.168.50.10/32" in groups["labsteps-alb"]
        assert [i.security_groups for i in res.instances] == [("labsteps-instances",)] * 2
        assert [t.name for t in res.target_groups] == ["labsteps-desktop", "labsteps-mobile", "labsteps-web"]
        assert "192.168.50.10:80" in text
