"""The lab's Terraform steps against the emulator, without the data plane (no root needed).

All step files together (what a participant has after the last step) must apply cleanly, leave a clean
second plan, and produce what the lab's steps promise: chained security groups, the path-routing groups
(instances for /mobile, the on-prem IP for /desktop), one group per app port on the same instances.
The step-by-step walk with traffic is tests/test_lab.py.
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
            "in  tcp 8080-8081 from sg labsteps-alb",
            "out all     to   0.0.0.0/0",
        )
        assert "in  tcp 80  from 0.0.0.0/0" in groups["labsteps-alb"]
        assert "out tcp 80  to   192.168.50.10/32" in groups["labsteps-alb"]
        assert [i.security_groups for i in res.instances] == [("labsteps-instances",)] * 2
        assert "out tcp 8080-8081 to   sg labsteps-instances" in groups["labsteps-alb"]
        tgs = {t.name: t for t in res.target_groups}
        assert sorted(tgs) == [
            "labsteps-blog",
            "labsteps-desktop",
            "labsteps-mobile",
            "labsteps-shop",
            "labsteps-web",
        ]
        # /desktop: the on-prem server, an IP target; /mobile: both instances.
        assert tgs["labsteps-desktop"].target_type == "ip"
        assert [t.split()[0] for t in tgs["labsteps-desktop"].targets] == ["on-prem"]
        assert "on-prem 192.168.50.10:80" in text
        assert [t.split()[0] for t in tgs["labsteps-mobile"].targets] == ["web-a", "web-b"]
        # Several apps on one instance: the same two instances, each app on its own port.
        for app, port in (("shop", 8080), ("blog", 8081)):
            group = tgs[f"labsteps-{app}"]
            assert (group.target_type, group.port) == ("instance", port)
            assert [t.split()[0] for t in group.targets] == ["web-a", "web-b"]
            assert all(t.endswith(f":{port}") for t in group.targets)
