"""Lab pieces that need neither root nor an emulator: docs blocks, normaliser, screens, checks, diagram."""

from __future__ import annotations

import dataclasses
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

import docblocks
import pytest
from nobody import AS_NOBODY, NOBODY, env_for_nobody, nobody_python_or_skip
from normalize import normalize
from procscan import CLI

from alblab.lab.diagram import BLOCKED, AlbNodeView, Observations, render, to_dot
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
    SgRule,
    Stack,
    Subnet,
    Target,
    TargetGroup,
    WeightedTargetGroup,
)
from alblab.pids import alive

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
        suffix = ".ko.png" if readme.endswith(".ko.md") else ".png"
        for number in (4, 5, 6, 7, 8):
            image = f"img/step{number}{suffix}"
            assert image in text, f"{readme} does not show {image}"
            assert (LAB_DOCS / image).is_file(), f"{image} is missing"


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
    subnets = {
        "subnet-a": Subnet("subnet-a", "vpc-1", "10.50.1.0/24", "us-east-1a"),
        "subnet-b": Subnet("subnet-b", "vpc-1", "10.50.2.0/24", "us-east-1b"),
    }
    return Stack(lb, {tg.arn: tg}, instances, groups, subnets)


def _hardened_groups() -> dict[str, SecurityGroup]:
    """Step 6: the ALB open to anyone, the instances only to the ALB's group."""
    return {
        "sg-alb": SecurityGroup(
            "sg-alb", "lab-alb", "vpc-1", ingress=(SgRule("ingress", "tcp", 80, 80, cidr_ipv4="0.0.0.0/0"),)
        ),
        "sg-inst": SecurityGroup(
            "sg-inst",
            "lab-instances",
            "vpc-1",
            ingress=(SgRule("ingress", "tcp", 80, 80, referenced_group_id="sg-alb"),),
        ),
    }


def _seen(direct: dict[str, bool]) -> Observations:
    return Observations(
        client_ip="198.51.100.7",
        alb_nodes=(AlbNodeView("10.50.1.254", "us-east-1a"), AlbNodeView("10.50.2.254", "us-east-1b")),
        health={("arn:tg/web", "i-a"): "healthy", ("arn:tg/web", "i-b"): "unhealthy"},
        client_to_instance=direct,
        alb_to_instance={"i-a": True, "i-b": True},
    )


def _edges_into(dot: str, node: str, source: str) -> list[str]:
    return [
        line for line in dot.splitlines() if f'-> "target:{node}"' in line and line.strip().startswith(source)
    ]


def test_diagram_shows_rules_nodes_health_and_the_deciding_sg_rule() -> None:
    stack = dataclasses.replace(_stack(), security_groups=_hardened_groups())
    dot = to_dot(stack, _seen({"i-a": False, "i-b": False}), {"i-a": "web-a", "i-b": "web-b"})
    assert "fixed response 403" in dot and "path-pattern ['/admin',\\n'/admin/*']" in dot
    assert "web-b\\n10.50.2.4\\nSG lab-instances\\nunhealthy" in dot
    assert "ALB node 10.50.1.254\\nsubnet 10.50.1.0/24\\nus-east-1a" in dot
    assert "ALB node 10.50.2.254\\nsubnet 10.50.2.0/24\\nus-east-1b" in dot
    # The fixed response is drawn inside the ALB's cluster, before the cluster closes.
    cluster = dot[dot.index("cluster_alb") : dot.index("\n  }\n")]
    assert '"fixed:arn:rule/10"' in cluster
    # ALB -> instance: the rule that admits the ALB; client -> instance: blocked, no rule admits the client.
    assert ":80 from sg lab-alb" in _edges_into(dot, "i-a", '"tg:')[0]
    blocked = _edges_into(dot, "i-a", "client")
    assert len(blocked) == 1 and BLOCKED in blocked[0] and "arrowhead=tee" in blocked[0]
    assert "direct: blocked, no rule admits it" in blocked[0]


def test_diagram_step4_labels_the_open_rule_and_korean_uses_console_terms() -> None:
    stack = _stack()
    groups = _hardened_groups()
    groups["sg-inst"] = SecurityGroup(
        "sg-inst",
        "lab-instances",
        "vpc-1",
        ingress=(SgRule("ingress", "tcp", 80, 80, cidr_ipv4="0.0.0.0/0"),),
    )
    stack = dataclasses.replace(stack, security_groups=groups)
    dot = to_dot(stack, _seen({"i-a": True, "i-b": True}), {"i-a": "web-a", "i-b": "web-b"})
    assert "direct: from 0.0.0.0/0" in _edges_into(dot, "i-a", "client")[0]
    # Step 5: the security group still allows it, but the stopped web server does not answer.
    stopped = to_dot(stack, _seen({"i-a": False, "i-b": True}), {"i-a": "web-a", "i-b": "web-b"})
    edge = _edges_into(stopped, "i-a", "client")[0]
    assert "direct: from 0.0.0.0/0, no answer" in edge and BLOCKED not in edge
    korean = to_dot(stack, _seen({"i-a": True, "i-b": True}), {"i-a": "web-a", "i-b": "web-b"}, "ko")
    for term in (
        "대상 그룹 lab-web",
        "대상 유형: 인스턴스",
        "소스 0.0.0.0/0",
        "비정상",
        "고정 응답 403",
        "범례",
    ):
        assert term in korean, term
    assert 'fontname="NanumGothic"' in korean


@pytest.mark.skipif(shutil.which("dot") is None, reason="graphviz dot not installed")
def test_diagram_renders_svg_and_png(tmp_path: Path) -> None:
    seen = Observations(client_ip="203.0.113.10")
    svg, png = render(to_dot(_stack(), seen, {}, "ko"), tmp_path / "d.ko")
    assert svg.name == "d.ko.svg" and png.name == "d.ko.png"
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
    from alblab.lab.engine import NOT_RUNNING, LabEngine

    server = _LabServer(tmp_path / SOCKET_NAME, LabEngine(tmp_path, "unit"))
    # Three requests: a readiness probe (connect + hang up), then two operations.
    thread = threading.Thread(target=lambda: [server.handle_request() for _ in range(3)], daemon=True)
    thread.start()
    try:
        client._connect(tmp_path).close()
        lines: list[str] = []
        assert client.call(tmp_path, "check", out=lines.append) == 1
        assert lines == [NOT_RUNNING]
        lines.clear()
        assert client.call(tmp_path, "status", out=lines.append) == 0
        assert lines == ['{"step": 0, "terraform": null}']
    finally:
        thread.join(timeout=10)
        server.server_close()


class _FakePlane:
    """The few faces of a data plane that screens and checks read, answering from fixed data."""

    client_ip = "198.51.100.7"

    def __init__(self, health: dict[str, dict[str, str]]) -> None:
        self._health = health

    def target_health(self) -> dict[str, dict[str, str]]:
        return self._health


def test_health_screen_shows_each_group_type_and_puts_ids_last() -> None:
    from alblab.lab import screens
    from alblab.lab.observe import Traffic

    plane = _FakePlane({"lab-web": {"i-a:80": "healthy", "i-b:80": "unhealthy"}})
    lines = screens.health(Traffic(plane, _stack(), "lab"))  # type: ignore[arg-type]
    assert lines == [
        "target group lab-web  type instance  HTTP:80",
        "  web-a    healthy    i-a:80",
        "  web-b    unhealthy  i-b:80",
    ]


def test_answers_name_the_machine_and_its_app_port() -> None:
    from alblab.lab import screens
    from alblab.lab.observe import Answer

    found = [
        Answer(200, "web-a", "8080", "", "", "", ""),
        Answer(200, "web-b", "8080", "", "", "", ""),
        Answer(403, "", "", "", "", "", "Access denied"),
    ]
    assert screens.answers(_stack(), found, "/shop", view=False) == [
        "GET http://lab-alb-1.us-east-1.elb.amazonaws.com/shop  x3",
        "  200 from web-a:8080  x1",
        "  200 from web-b:8080  x1",
        "  403 from the ALB itself: Access denied  x1",
        "answered in turn: yes",
    ]


def test_checks_report_the_first_broken_layer_only() -> None:
    from alblab.lab import checks
    from alblab.lab.resources import InstanceView, LabResources, SgView, TargetGroupView
    from alblab.lab.view import LabView

    resources = LabResources(
        security_groups=(
            SgView("sg-1", "lab-alb", ("in  tcp 80  from 0.0.0.0/0",)),
            SgView("sg-2", "lab-instances", ("in  tcp 80  from 0.0.0.0/0",)),
        ),
        instances=(InstanceView("web-a", "i-a", "10.50.1.4", ("lab-instances",)),),
        target_groups=(TargetGroupView("lab-web", "instance", "HTTP", 80, "", ("web-a", "web-b")),),
    )
    # Step 3 expects an ALB; there is none: that is the one problem, and no later check runs.
    assert checks.run(LabView("lab", 3, resources, None, None)) == [
        f"there is no load balancer lab-alb yet - {checks.APPLY_HINT}"
    ]
    # Step 6 with the instances still open: step 1's expectation no longer applies, the ALB's still does.
    hardened = dataclasses.replace(resources, security_groups=(SgView("sg-2", "lab-instances", ()),))
    assert checks.run(LabView("lab", 6, hardened, None, None))[0].startswith("the security groups lab-alb")


def test_stopping_a_lab_that_never_ran_is_clean(tmp_path: Path) -> None:
    from alblab.lab.engine import stop_lab, stop_lines

    report = stop_lab(tmp_path / "lab")
    assert report.clean and not report.done
    assert stop_lines(report) == ["Lab stopped: data plane down, emulator stopped."]


@pytest.mark.skipif(os.geteuid() != 0 or shutil.which("setpriv") is None, reason="needs root and setpriv")
def test_another_users_lab_is_a_message_not_a_permission_error(tmp_path: Path) -> None:
    lab_dir = tmp_path / "lab"
    lab_dir.mkdir()
    tmp_path.chmod(0o755)
    code = (
        "import sys; from pathlib import Path; from alblab.lab import client\n"
        "try:\n    client.check_owner(Path(sys.argv[1]))\nexcept Exception as e:\n"
        "    print(type(e).__name__, e)\n"
    )
    argv = [*AS_NOBODY, nobody_python_or_skip(), "-c", code]
    done = subprocess.run(
        [*argv, str(lab_dir)], capture_output=True, text=True, env=env_for_nobody(), check=False, timeout=60
    )
    assert done.stdout.startswith(f"LabError The lab in {lab_dir} belongs to root"), done.stdout + done.stderr
    assert "sudo alblab lab" in done.stdout


def test_the_docs_call_the_cli_one_way_and_that_way_works() -> None:
    """README and both lab READMEs: activate the virtualenv, then `alblab ...` (never a path, never sudo)."""
    for doc in (LAB_DOCS.parent.parent / "README.md", LAB_DOCS / "README.md", LAB_DOCS / "README.ko.md"):
        text = doc.read_text()
        assert "source .venv/bin/activate" in text, doc
        assert ".venv/bin/alblab" not in text and "sudo alblab" not in text, doc
    activate = Path(sys.prefix) / "bin" / "activate"
    if not activate.is_file():
        pytest.skip("not running from a virtualenv")
    done = subprocess.run(
        ["bash", "-c", f"source {activate} && cd / && alblab lab --help"],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert "usage: alblab lab" in done.stdout and "start" in done.stdout


def test_lab_stop_cleans_up_after_a_lab_whose_daemon_died(tmp_path: Path) -> None:
    """The daemon is gone (killed), its emulator is not: `alblab lab stop` stops it from the record."""
    from alblab.session import Session

    lab_dir = tmp_path / "lab"
    session = Session(lab_dir)
    session.ensure_emulator()
    pid = session.record.emulator_pid
    (lab_dir / "terraform").mkdir()
    env = {**os.environ, "ALBLAB_LAB_DIR": str(lab_dir)}
    done = subprocess.run(
        [*CLI, "lab", "stop"],
        capture_output=True,
        text=True,
        env=env,
        check=False,
        timeout=120,
    )
    try:
        assert done.returncode == 0, done.stdout + done.stderr
        assert done.stdout.strip() == "Lab stopped: data plane down, emulator stopped."
        assert not alive(pid)
        assert not (lab_dir / "session.json").exists() and not (lab_dir / "terraform").exists()
    finally:
        session.stop_emulator()
    again = subprocess.run(
        [*CLI, "lab", "stop"],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert (again.returncode, again.stdout.strip()) == (0, "The lab is not running.")


@pytest.mark.skipif(shutil.which("terraform") is None, reason="terraform not installed")
def test_a_failed_apply_is_a_message_and_the_lab_goes_on(tmp_path: Path) -> None:
    import threading

    from alblab.lab import client
    from alblab.lab.daemon import SOCKET_NAME, _LabServer
    from alblab.lab.engine import STACK_KEY, LabEngine
    from alblab.lab.steps import BASE_DIR
    from alblab.session import Session

    engine = LabEngine(tmp_path, "unit")
    shutil.copytree(BASE_DIR, engine.terraform_dir)
    (engine.terraform_dir / "typo.tf").write_text('resource "aws_security_group" "x" {\n  name = \n}\n')
    engine.session = Session(tmp_path)
    engine.session.add_stack(STACK_KEY, engine.terraform_dir, name="unit")
    engine.step = 1
    server = _LabServer(tmp_path / SOCKET_NAME, engine)
    thread = threading.Thread(target=lambda: [server.handle_request() for _ in range(2)], daemon=True)
    thread.start()
    try:
        lines: list[str] = []
        assert client.call(tmp_path, "apply", out=lines.append) == 1
        assert lines[0].startswith("terraform ") and "failed" in lines[0], lines
        assert "typo.tf" in "\n".join(lines[1:])
        lines.clear()
        assert client.call(tmp_path, "status", out=lines.append) == 0  # the daemon still answers
        assert '"step": 1' in lines[0]
    finally:
        thread.join(timeout=30)
        server.server_close()
        assert engine.session.down().clean


@pytest.mark.skipif(os.geteuid() != 0 or shutil.which("setpriv") is None, reason="needs root and setpriv")
def test_a_machine_without_a_data_plane_is_told_why_before_anything_starts() -> None:
    """As a user who may not have a data plane here (forced: root mode without root), `lab start` says the
    cause and the fix in one line, exits non-zero, and leaves nothing behind."""
    # Not under pytest's tmp_path: its parents are closed to other users.
    home = Path(tempfile.mkdtemp(prefix="alblab-nobody-"))
    home.chmod(0o755)
    os.chown(home, NOBODY, NOBODY)
    lab_dir = home / "lab"
    env = env_for_nobody(HOME=str(home), ALBLAB_LAB_DIR=str(lab_dir), ALBLAB_DATAPLANE="root")
    argv = [*AS_NOBODY, nobody_python_or_skip(), "-m", "alblab.cli"]
    done = subprocess.run(
        [*argv, "lab", "start"], capture_output=True, text=True, env=env, check=False, timeout=60, cwd="/"
    )
    assert done.returncode == 1, done.stdout + done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("alblab: The lab cannot run here: "), done.stderr
    assert "root" in lines[0] and "Traceback" not in done.stdout + done.stderr
    assert not lab_dir.exists()
    shutil.rmtree(home)


def test_ctrl_c_leaves_the_operation_to_the_daemon_which_goes_on(tmp_path: Path) -> None:
    """Ctrl-C in the participant's shell: one message, exit 130; the daemon finishes the operation and
    answers the next command."""
    import signal
    import threading

    from alblab.lab import client
    from alblab.lab.daemon import SOCKET_NAME, _LabServer
    from alblab.lab.engine import LabEngine

    finished, client_gone = threading.Event(), threading.Event()

    class SlowEngine(LabEngine):
        def check(self, out: Callable[[str], None]) -> int:
            out("checking ...")
            client_gone.wait(timeout=60)
            out("still checking")  # the client is gone: writing must not kill the daemon
            finished.set()
            return 0

    server = _LabServer(tmp_path / SOCKET_NAME, SlowEngine(tmp_path, "unit"))
    thread = threading.Thread(target=lambda: [server.handle_request() for _ in range(2)], daemon=True)
    thread.start()
    try:
        code = "import sys; from pathlib import Path; from alblab.lab import client; "
        code += f"sys.exit(client.call(Path({str(tmp_path)!r}), 'check'))"
        proc = subprocess.Popen(
            [sys.executable, "-c", code], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        assert proc.stdout is not None
        assert proc.stdout.readline() == "checking ...\n"
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=30)
        client_gone.set()
        assert proc.returncode == 130, out + err
        assert "Interrupted: the lab finishes this command in the background" in err
        assert "Traceback" not in err
        assert finished.wait(timeout=30)
        lines: list[str] = []
        assert client.call(tmp_path, "status", out=lines.append) == 0
    finally:
        thread.join(timeout=30)
        server.server_close()
