"""Lab pieces that need neither root nor an emulator: docs blocks, normaliser, plan summary, diagram."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from alblab.lab import docblocks
from alblab.lab.diagram import BLOCKED, Observations, render, to_dot
from alblab.lab.normalize import normalize
from alblab.lab.plan_summary import summarize
from alblab.lab.steps import STEPS, STEPS_DIR
from alblab.model import (
    Action,
    Condition,
    FixedResponse,
    HealthCheck,
    Instance,
    Listener,
    LoadBalancer,
    Rule,
    SecurityGroup,
    Stack,
    Target,
    TargetGroup,
    WeightedTargetGroup,
)

LAB_DOCS = Path(__file__).resolve().parent.parent / "docs" / "lab"


def test_both_readmes_hold_the_same_runnable_blocks() -> None:
    english = docblocks.parse((LAB_DOCS / "README.md").read_text())
    korean = docblocks.parse((LAB_DOCS / "README.ko.md").read_text())
    assert [c.line for c in english] == [c.line for c in korean]
    assert [c.expected for c in english] == [c.expected for c in korean]
    assert english[0].line == "alblab lab start"
    assert (
        sum(c.line == "alblab lab next" or c.line.startswith("alblab lab next ") for c in english)
        == len(STEPS) - 1
    )


def test_every_step_directory_exists_and_is_linked_from_both_readmes() -> None:
    for readme in ("README.md", "README.ko.md"):
        text = (LAB_DOCS / readme).read_text()
        for step in STEPS:
            if step.directory:
                assert step.files(), f"step {step.number} has no .tf files"
                assert f"steps/{step.directory}/" in text, f"{readme} does not link step {step.number}"
        for image in ("img/step4.png", "img/step6.png", "img/step7.png"):
            assert image in text


def test_docblocks_rewrite_replaces_outputs_only() -> None:
    doc = (
        "x\n<!-- lab-run -->\n```console\n$ alblab lab next\nold\n$ alblab lab check\n```\n"
        "```console\n$ ls\n```\n"
    )
    assert [c.line for c in docblocks.parse(doc)] == ["alblab lab next", "alblab lab check"]
    new = docblocks.rewrite(doc, ["new 1\nnew 2", "step 1: OK"])
    assert [c.expected for c in docblocks.parse(new)] == ["new 1\nnew 2", "step 1: OK"]
    assert new.endswith("```console\n$ ls\n```\n")
    with pytest.raises(ValueError):
        docblocks.Command("ls -l", "").argv()


def test_normalize_replaces_run_specific_ids_only() -> None:
    text = (
        "web-a  i-69f16dc09bbc26a72  10.50.1.4  sg-32fbb0a72dbed7ac5 \n"
        "lab-alb-1234567890.us-east-1.elb.amazonaws.com every 5 s\n"
        "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/lab-web/0dfc51a74c8c20a6"
    )
    assert normalize(text).splitlines() == [
        "web-a  i-xxxxxxxx  10.50.1.4  sg-xxxxxxxx",
        "lab-alb-xxxxxxxx.us-east-1.elb.amazonaws.com every 5 s",
        "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/lab-web/xxxxxxxx",
    ]


def test_plan_summary_counts_like_terraform() -> None:
    plan = {
        "resource_changes": [
            {"address": "aws_lb.lab", "change": {"actions": ["create"]}},
            {"address": "aws_vpc.lab", "change": {"actions": ["no-op"]}},
            {"address": "aws_vpc_security_group_ingress_rule.x", "change": {"actions": ["delete", "create"]}},
            {"address": 'aws_instance.web["a"]', "change": {"actions": ["update"]}},
        ]
    }
    assert summarize(plan) == [
        '  ~ aws_instance.web["a"]',
        "  + aws_lb.lab",
        "  -/+ aws_vpc_security_group_ingress_rule.x (replace)",
        "Plan: 2 to add, 1 to change, 1 to destroy.",
    ]


def _stack() -> Stack:
    tg = TargetGroup(
        arn="arn:tg/web",
        name="lab-web",
        target_type="instance",
        protocol="HTTP",
        port=80,
        vpc_id="vpc-1",
        health_check=HealthCheck(interval=5, healthy_threshold=2),
        targets=(Target("i-a", 80), Target("i-b", 80)),
    )
    admin = Rule(
        arn="arn:rule/10",
        priority=10,
        conditions=(Condition("path-pattern", ("/admin", "/admin/*")),),
        action=Action("fixed-response", fixed_response=FixedResponse(403, message_body="Access denied")),
    )
    listener = Listener(
        arn="arn:listener/80",
        port=80,
        protocol="HTTP",
        default_action=Action("forward", target_groups=(WeightedTargetGroup("arn:tg/web"),)),
        rules=(admin,),
    )
    lb = LoadBalancer(
        arn="arn:lb",
        name="lab-alb",
        dns_name="lab-alb-1.us-east-1.elb.amazonaws.com",
        zone_id="Z",
        internal=False,
        vpc_id="vpc-1",
        subnet_ids=("subnet-a", "subnet-b"),
        security_group_ids=("sg-alb",),
        listeners=(listener,),
    )
    instances = {
        "i-a": Instance("i-a", "10.50.1.4", "subnet-a", "us-east-1a", ("sg-inst",), name="lab-web-a"),
        "i-b": Instance("i-b", "10.50.2.4", "subnet-b", "us-east-1b", ("sg-inst",), name="lab-web-b"),
    }
    groups = {
        "sg-alb": SecurityGroup("sg-alb", "lab-alb", "vpc-1"),
        "sg-inst": SecurityGroup("sg-inst", "lab-instances", "vpc-1"),
    }
    return Stack(lb, {tg.arn: tg}, instances, groups, {})


def test_diagram_shows_rules_health_and_blocked_direct_access() -> None:
    seen = Observations(
        client_ip="203.0.113.10",
        health={("arn:tg/web", "i-a"): "healthy", ("arn:tg/web", "i-b"): "unhealthy"},
        client_to_instance={"i-a": False, "i-b": True},
        alb_to_instance={"i-a": True, "i-b": True},
    )
    dot = to_dot(_stack(), seen, {"i-a": "web-a", "i-b": "web-b"})
    assert "fixed response 403" in dot and "path-pattern: /admin, /admin/*" in dot
    assert "web-b\\n10.50.2.4:80\\nunhealthy" in dot
    blocked = [line for line in dot.splitlines() if '"target:i-a"' in line and "client ->" in line]
    assert len(blocked) == 1 and BLOCKED in blocked[0] and "arrowhead=tee" in blocked[0]
    allowed = [line for line in dot.splitlines() if '"target:i-b"' in line and "client ->" in line]
    assert BLOCKED not in allowed[0]


@pytest.mark.skipif(shutil.which("dot") is None, reason="graphviz dot not installed")
def test_diagram_renders_svg_and_png(tmp_path: Path) -> None:
    seen = Observations(client_ip="203.0.113.10")
    svg, png = render(to_dot(_stack(), seen, {}), tmp_path / "d")
    assert svg.read_text().lstrip().startswith("<?xml") and "lab&#45;web" in svg.read_text()
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


@pytest.mark.skipif(shutil.which("terraform") is None, reason="terraform not installed")
def test_step_files_are_terraform_fmt_clean() -> None:
    result = subprocess.run(
        ["terraform", "fmt", "-check", "-recursive", str(STEPS_DIR)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_daemon_protocol_streams_output_and_exit_code(tmp_path: Path) -> None:
    import threading

    from alblab.lab import client
    from alblab.lab.daemon import SOCKET_NAME, _LabServer
    from alblab.lab.engine import LabEngine

    server = _LabServer(tmp_path / SOCKET_NAME, LabEngine(tmp_path, "unit"))
    # Three requests: a readiness probe (connect + hang up), then two operations.
    thread = threading.Thread(target=lambda: [server.handle_request() for _ in range(3)], daemon=True)
    thread.start()
    try:
        client._connect(tmp_path).close()
        lines: list[str] = []
        assert client.call(tmp_path, "check", out=lines.append) == 1
        assert lines == ["The lab is not running: start it with `alblab lab start` (or `make lab`)."]
        lines.clear()
        assert client.call(tmp_path, "status", out=lines.append) == 0
        assert lines == ['{"step": 0, "workdir": null}']
    finally:
        thread.join(timeout=10)
        server.server_close()
