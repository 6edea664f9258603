"""The web console's parts that need no data plane: the map, the server (token, errors, events), the
actions' input checks, its record and `down`, the request log's format and reader, the words.

Security-group edges follow "Security groups for your Application Load Balancer" (inbound from clients on
the listener port, outbound to the targets on their port):
https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-update-security-groups.html
"""

from __future__ import annotations

import json
import os
import queue
import re
import shutil
import stat
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import factories as f
import pytest
from procscan import CLI

from alblab import consoles
from alblab.console import mapview
from alblab.console.launch import bind_warning, check_bind
from alblab.console.live import ActionError, Live
from alblab.console.server import FORBIDDEN, ConsoleServer
from alblab.console.words import GLOSSARY, page_words
from alblab.dataplane import DataPlaneError
from alblab.dataplane.haproxy import NodeConfig, check_config, render
from alblab.dataplane.haproxy.reqlog import TAG, parse
from alblab.dataplane.requestlog import read
from alblab.errors import UsageError
from alblab.lab.notes import KO_TITLES, step_info
from alblab.lab.steps import LAST
from alblab.model import Target, TargetGroup
from alblab.pids import alive
from alblab.session import Session
from alblab.verdicts.reach import egress_reach, listener_reach

REPO = Path(__file__).resolve().parents[1]
CLIENT = "198.51.100.7"


def lab_like_stack() -> Any:
    """The lab at step 8: /admin fixed, /mobile to two instances (ALB SG only), /desktop to an on-prem IP."""
    alb = f.sg(
        "sg-alb",
        "lab-alb",
        ingress=(f.ing("tcp", 80, "0.0.0.0/0"),),
        egress=(f.eg("tcp", 80, "sg-web"), f.eg("tcp", 80, "192.168.50.10/32")),
    )
    web = f.sg("sg-web", "lab-instances", ingress=(f.ing("tcp", 80, "sg-alb"),))
    mobile = f.target_group(f.tg_arn("lab-mobile"), "lab-mobile", 80, "i-a", "i-b")
    desktop = TargetGroup(
        f.tg_arn("lab-desktop"), "lab-desktop", "ip", "HTTP", 80, f.VPC, mobile.health_check,
        targets=(Target("192.168.50.10", 80, "all"),),
    )  # fmt: skip
    listener = f.listener(
        f.forward("lab-mobile"),
        f.rule(30, f.forward("lab-desktop"), f.path("/desktop", "/desktop/*")),
        f.rule(10, f.fixed(403, "Access denied"), f.path("/admin")),
        f.rule(20, f.forward("lab-mobile"), f.path("/mobile", "/mobile/*")),
    )
    instances = [
        f.instance("i-a", "10.0.1.4", "sg-web", name="lab-web-a"),
        f.instance("i-b", "10.0.2.4", "sg-web", name="lab-web-b", subnet="subnet-b"),
    ]
    return f.stack([alb, web], instances, listeners=(listener,), target_groups=(mobile, desktop))


NODES = [("n0", "10.0.1.254", "us-east-1a"), ("n1", "10.0.2.254", "us-east-1b")]


# --- the map -------------------------------------------------------------------------------------------


def test_the_map_lists_rules_in_evaluation_order_with_the_default_last() -> None:
    view = mapview.build(lab_like_stack(), NODES, CLIENT, {"i-a": "web-a", "i-b": "web-b"})
    rules = view["listeners"][0]["rules"]
    assert [r["priority"] for r in rules] == [10, 20, 30, None]
    fixed = {"type": "fixed-response", "text": "fixed 403 'Access denied'", "status_code": 403}
    assert rules[0]["action"] == {**fixed, "body": "Access denied"}
    assert rules[1]["conditions"] == ["path-pattern ['/mobile', '/mobile/*']"]
    assert rules[1]["action"]["target_groups"] == [{"name": "lab-mobile", "weight": 1}]
    assert [n["name"] for n in view["load_balancer"]["nodes"]] == ["n0", "n1"]


def test_each_edge_names_the_rule_that_decides_it() -> None:
    view = mapview.build(lab_like_stack(), NODES, CLIENT, {"i-a": "web-a", "i-b": "web-b"})
    ingress = view["listeners"][0]["ingress"]
    assert ingress["allowed"] and "tcp/80 from 0.0.0.0/0" in ingress["reason"]
    groups = {tg["name"]: tg for tg in view["target_groups"]}
    web_a = groups["lab-mobile"]["targets"][0]
    assert (web_a["name"], web_a["key"], web_a["kind"]) == ("web-a", "lab-mobile|i-a:80", "instance")
    assert web_a["alb_edge"]["allowed"] and "from sg-alb" in web_a["alb_edge"]["reason"]
    assert not web_a["direct_edge"]["allowed"]
    assert web_a["direct_edge"]["reason"].startswith("denied: no ingress rule of sg-web (lab-instances)")
    onprem = groups["lab-desktop"]["targets"][0]
    assert (onprem["kind"], onprem["onprem"], onprem["direct_edge"]) == ("ip", True, None)
    assert onprem["alb_edge"]["allowed"] and "to 192.168.50.10/32" in onprem["alb_edge"]["reason"]


def test_the_listener_and_ip_target_verdicts_say_when_no_rule_admits() -> None:
    stack = lab_like_stack()
    assert not listener_reach(stack, CLIENT, 443).allowed
    assert (
        "no ingress rule of sg-alb (lab-alb) admits 198.51.100.7 on tcp/443"
        in listener_reach(stack, CLIENT, 443).reason
    )
    assert not egress_reach(stack, "192.168.60.1", 80).allowed


# --- the server ----------------------------------------------------------------------------------------


class FakeSource:
    """What Live gives the server, with actions that check their input like Live does."""

    def __init__(self) -> None:
        self.subscribers: list[queue.Queue[tuple[str, Any]]] = []
        self.sent: list[dict[str, Any]] = []

    def snapshot(self) -> dict[str, Any]:
        return {"status": "up", "message": "", "map": None, "requests": [], "counts": {}}

    def subscribe(self) -> queue.Queue[tuple[str, Any]]:
        q: queue.Queue[tuple[str, Any]] = queue.Queue()
        self.subscribers.append(q)
        return q

    def unsubscribe(self, q: queue.Queue[tuple[str, Any]]) -> None:
        self.subscribers.remove(q)

    def send(self, body: dict[str, Any]) -> dict[str, Any]:
        if not str(body.get("path", "")).startswith("/"):
            raise ActionError("path must start with '/'")
        self.sent.append(body)
        return {"answers": [{"status": 200, "instance": "i-a"}]}

    def fail(self, body: dict[str, Any]) -> dict[str, Any]:
        raise ActionError(f"no instance or IP target {body.get('target')!r} here; known: i-a (web-a)")

    heal = fail

    def reach(self, body: dict[str, Any]) -> dict[str, Any]:
        raise ActionError("the stack is down", status=503)


@pytest.fixture
def served() -> Iterator[tuple[str, FakeSource]]:
    source = FakeSource()
    server = ConsoleServer("127.0.0.1", 0, source, "s3cret")
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}", source
    finally:
        server.shutdown()
        server.server_close()


def fetch(
    url: str, body: Any = None, token: str | None = "s3cret", raw: bytes | None = None
) -> tuple[int, str]:
    data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
    request = urllib.request.Request(url, data=data, method="POST" if data is not None else "GET")
    if token is not None:
        request.add_header("X-Alblab-Token", token)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


@pytest.mark.parametrize("token", [None, "wrong", ""])
def test_every_request_without_the_token_is_403_and_one_line(
    served: tuple[str, FakeSource], token: str | None
) -> None:
    base, source = served
    for path in ("/", "/console.js", "/api/state", "/api/events", "/nowhere"):
        assert fetch(base + path, token=token) == (403, FORBIDDEN)
    assert fetch(base + "/api/send", {"path": "/"}, token=token) == (403, FORBIDDEN)
    assert FORBIDDEN.count("\n") == 1 and not source.sent


def test_the_page_and_its_assets_come_from_the_package_with_the_token(served: tuple[str, FakeSource]) -> None:
    base, _source = served
    status, page = fetch(base + "/?token=s3cret", token=None)
    assert status == 200 and 'src="console.js?token=s3cret"' in page and "{{TOKEN}}" not in page
    assert not re.search(r"(src|href)=\"(https?:)?//", page), "an asset from outside the package"
    for asset in ("/console.js", "/console.css"):
        status, text = fetch(base + asset)
        assert status == 200 and len(text) > 1000
        text = text.replace('"http://www.w3.org/2000/svg"', "")  # a name, not an address
        assert "http://" not in text and "https://" not in text
    state = json.loads(fetch(base + "/api/state")[1])
    assert state["status"] == "up"
    words = json.loads(fetch(base + "/api/words")[1])
    assert words["ko"]["target_groups"] == "대상 그룹" and words["ko"]["healthy"] == "정상"
    assert fetch(base + "/nowhere")[0] == 404


def test_bad_actions_are_400_with_a_message(served: tuple[str, FakeSource]) -> None:
    base, source = served
    status, text = fetch(base + "/api/send", {"path": "mobile"})
    assert status == 400 and json.loads(text) == {"error": "path must start with '/'"}
    status, text = fetch(base + "/api/fail", {"target": "web-z"})
    assert status == 400 and "no instance or IP target 'web-z'" in json.loads(text)["error"]
    assert fetch(base + "/api/send", raw=b"{not json")[0] == 400
    assert fetch(base + "/api/send", raw=b"[1]")[0] == 400
    assert fetch(base + "/api/reach", {"target": "i-a"})[0] == 503
    assert fetch(base + "/api/shutdown", {})[0] == 404
    assert fetch(base + "/api/send", {"path": "/mobile", "count": 2}) == (
        200, json.dumps({"answers": [{"status": 200, "instance": "i-a"}]}),
    )  # fmt: skip
    assert source.sent == [{"path": "/mobile", "count": 2}]


def test_events_start_with_the_whole_state_then_what_changes(served: tuple[str, FakeSource]) -> None:
    base, source = served
    request = urllib.request.Request(base + "/api/events?token=s3cret")
    with urllib.request.urlopen(request, timeout=10) as response:
        assert response.headers["Content-Type"].startswith("text/event-stream")
        head = [response.readline().decode() for _ in range(4)]
        assert head[0] == "retry: 2000\n" and head[1] == "event: state\n"
        assert json.loads(head[2].removeprefix("data: "))["status"] == "up"
        deadline = time.monotonic() + 5
        while not source.subscribers and time.monotonic() < deadline:
            time.sleep(0.01)
        source.subscribers[0].put(("requests", {"items": [{"seq": 1}], "counts": {}}))
        assert response.readline().decode() == "event: requests\n"
        assert json.loads(response.readline().decode().removeprefix("data: "))["items"] == [{"seq": 1}]
    deadline = time.monotonic() + 5
    while source.subscribers and time.monotonic() < deadline:  # a page that left is forgotten
        source.subscribers[0].put(("health", {}))
        time.sleep(0.05)
    assert not source.subscribers


# --- the actions' input, and a console whose stack is not there ----------------------------------------


class FakePlane:
    client_ip = CLIENT

    def __init__(self) -> None:
        self.curls: list[tuple[Any, ...]] = []

    def url(self, path: str, port: int | None = None) -> str:
        if port not in (None, 80):
            raise DataPlaneError(f"no listener on port {port}; listeners: 80")
        return f"http://alb{path}"

    def curl(self, *args: Any) -> Any:
        self.curls.append(args)
        raise DataPlaneError("curl http://alb/ failed (rc 28): timed out")

    def resolve_owner(self, name: str) -> str:
        if name in ("i-a", "i-b"):
            return name
        raise DataPlaneError(f"no instance or IP target {name!r} here; known: i-a (web-a), i-b (web-b)")

    def fail(self, owner: str, mode: str) -> None:
        self.failed = (owner, mode)


def live_with(plane: Any, tmp_path: Path) -> Live:
    live = Live(tmp_path, "main", lab_dir=tmp_path)
    live.plane = plane
    live.names = {"i-a": "web-a", "i-b": "web-b"}
    return live


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"path": "mobile"}, "must start with '/'"),
        ({"path": "/a b"}, "must start with '/'"),
        ({"path": "/", "count": 0}, "count 0: a number from 1 to 100"),
        ({"path": "/", "count": "6"}, "count '6'"),
        ({"path": "/", "method": "GE T"}, "method 'GE T'"),
        ({"path": "/", "header": "X: 1\r\nY: 2"}, "header: one 'Name: value' line"),
        ({"path": "/", "port": 443}, "no listener on port 443"),
    ],
)
def test_send_checks_its_input_before_sending(tmp_path: Path, body: dict[str, Any], message: str) -> None:
    plane = FakePlane()
    with pytest.raises(ActionError, match=re.escape(message)) as caught:
        live_with(plane, tmp_path).send(body)
    assert caught.value.status == 400 and not plane.curls


def test_send_reports_requests_that_got_no_answer(tmp_path: Path) -> None:
    result = live_with(FakePlane(), tmp_path).send({"path": "/mobile", "count": 2})
    assert [a["status"] for a in result["answers"]] == [0, 0]


def test_fail_takes_the_labs_names_and_refuses_unknown_ones(tmp_path: Path) -> None:
    plane = FakePlane()
    live = live_with(plane, tmp_path)
    assert live.fail({"target": "web-a"}) == {"target": "i-a", "mode": "dead"}
    with pytest.raises(ActionError, match="no instance or IP target 'web-z'"):
        live.fail({"target": "web-z"})
    with pytest.raises(ActionError, match="mode 'slow'"):
        live.fail({"target": "web-a", "mode": "slow"})


def test_without_a_stack_the_console_says_so_and_actions_are_503(tmp_path: Path) -> None:
    live = Live(tmp_path / "home", "main")
    live.reload()
    snap = live.snapshot()
    assert snap["status"] == "down" and "not up" in snap["message"]
    with pytest.raises(ActionError) as caught:
        live.send({"path": "/"})
    assert caught.value.status == 503


# --- the record, and `down` ----------------------------------------------------------------------------


def test_down_stops_a_recorded_console_and_removes_its_files(tmp_path: Path) -> None:
    home = tmp_path / "home"
    secret = consoles.new_token(home)
    assert stat.S_IMODE((consoles.directory(home) / consoles.TOKEN).stat().st_mode) == 0o600
    assert stat.S_IMODE(consoles.directory(home).stat().st_mode) == 0o700
    assert consoles.token(home) == secret
    record = consoles.ConsoleRecord(stack="main")
    consoles.write(home, record)
    assert Session(home).active  # recorded before it starts: `down` has something to do
    process = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)", "alblab.console"])
    record.pid, record.port = process.pid, 8123
    consoles.write(home, record)
    deadline = time.monotonic() + 10
    while not consoles.ours(process.pid) and time.monotonic() < deadline:  # until it has exec'd
        time.sleep(0.01)
    assert Session(home).leftovers() == [f"the web console (pid {process.pid}, port 8123)"]
    report = Session(home).down()
    process.wait(timeout=10)
    assert report.clean and f"console (pid {process.pid}) stopped" in report.done
    assert not consoles.directory(home).exists() and not Session(home).active


def test_down_never_signals_a_recorded_pid_that_is_not_a_console(tmp_path: Path) -> None:
    home = tmp_path / "home"
    process = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        consoles.write(home, consoles.ConsoleRecord(stack="main", pid=process.pid))
        report = Session(home).down()
        assert report.clean and alive(process.pid)
    finally:
        process.kill()
        process.wait()


def test_bind_is_checked_and_a_non_loopback_one_is_warned_about() -> None:
    assert check_bind("127.0.0.1") == "127.0.0.1" and bind_warning("127.0.0.1") is None
    with pytest.raises(UsageError, match="--bind 'classroom'"):
        check_bind("classroom")
    warning = bind_warning("0.0.0.0")
    assert warning is not None and warning.startswith("warning: the console listens on 0.0.0.0")


def test_console_with_nothing_up_is_one_line(tmp_path: Path) -> None:
    env = {**os.environ, "ALBLAB_HOME": str(tmp_path / "home")}
    done = subprocess.run([*CLI, "console"], capture_output=True, text=True, env=env, timeout=60, check=False)
    assert (done.returncode, done.stderr) == (1, "alblab: nothing is up: run 'alblab up EXAMPLE_OR_DIR'\n")
    bad = subprocess.run(
        [*CLI, "console", "--port", "99999"], capture_output=True, text=True, env=env, timeout=60, check=False
    )
    assert bad.returncode == 2 and "'99999' is not a port number" in bad.stderr
    lab = subprocess.run(
        [*CLI, "lab", "console"], capture_output=True, text=True, check=False, timeout=60,
        env={**env, "ALBLAB_LAB_DIR": str(tmp_path / "lab")},
    )  # fmt: skip
    assert (lab.returncode, lab.stdout) == (
        1,
        "The lab is not running: start it with `alblab lab start` (or `make lab`).\n",
    )
    assert not (tmp_path / "lab").exists()


# --- the request log -----------------------------------------------------------------------------------


@pytest.mark.skipif(shutil.which("haproxy") is None, reason="haproxy not installed")
def test_a_node_with_the_request_log_passes_haproxys_check(tmp_path: Path) -> None:
    stack = lab_like_stack()
    node = NodeConfig(bind_ips=("127.0.0.1",), run_dir=tmp_path, request_log=True)
    text = render(stack, node)
    assert "log stdout format raw" in text and text.count("log-format") == 1
    node.cfg_path.write_text(text)
    check_config(node.cfg_path)
    assert "log-format" not in render(stack, NodeConfig(bind_ips=("127.0.0.1",), run_dir=tmp_path))


def line(**fields: Any) -> str:
    data = {
        "time": 1.5, "frontend": "listener-80", "backend": "tg-lab-mobile", "server": "i-a_80", "status": 200,
        "method": "GET", "path": "/mobile", "uri": "/mobile?x=1", "rule": "20", "client": CLIENT,
        "total_ms": 3, "termination": "--",
    }  # fmt: skip
    data.update(fields)
    return TAG + json.dumps(data).removeprefix("{").replace('"alblab-request": 1, ', "") + "\n"


def test_the_reader_maps_haproxy_names_to_the_model_and_keeps_a_cursor(tmp_path: Path) -> None:
    stack = lab_like_stack()
    log = tmp_path / "n0.log"
    fixed = line(time=2.0, backend="listener-80", server="<NOSRV>", status=403, rule="10", uri="/admin")
    log.write_text("[NOTICE] haproxy started\n" + line() + fixed)
    assert parse(line()) is not None and parse("[WARNING] x") is None and parse(TAG + "torn") is None
    found, cursor = read({"n0": log}, stack)
    assert [(r.status, r.rule, r.target_group, r.target, r.port, r.listener) for r in found] == [
        (200, 20, "lab-mobile", "i-a", 80, 80),
        (403, 10, "", "", None, 80),
    ]
    assert read({"n0": log}, stack, cursor)[0] == []
    with log.open("a") as handle:
        handle.write(
            line(time=3.0, rule="0", server="i-b_80") + TAG + '"time": 4'
        )  # a line still being written
    found, cursor = read({"n0": log}, stack, cursor)
    assert [(r.time, r.rule, r.target) for r in found] == [(3.0, None, "i-b")]
    log.write_text(line(time=5.0))  # a new file (the plane was rebuilt): read from its start
    assert [r.time for r in read({"n0": log}, stack, cursor)[0]] == [5.0]
    assert read({"n9": tmp_path / "missing.log"}, stack) == ([], {"n9": 0})


# --- the words -----------------------------------------------------------------------------------------


def test_both_languages_have_every_word_and_korean_follows_the_labs_glossary() -> None:
    words = page_words()
    assert set(words["en"]) == set(words["ko"])
    readme = (REPO / "docs" / "lab" / "README.ko.md").read_text()
    glossary = readme[readme.index("## 용어 정리") :]
    missing = [ko for _en, ko in GLOSSARY if any(part not in glossary for part in ko.split(" / "))]
    assert not missing, f"not in the glossary of docs/lab/README.ko.md: {missing}"


def test_every_lab_step_has_its_korean_title_and_what_to_notice() -> None:
    readme = (REPO / "docs" / "lab" / "README.ko.md").read_text()
    for number in range(1, LAST + 1):
        info = step_info(number)
        assert info["notice"]["en"] and info["notice"]["ko"]
        assert f"## {number}단계: {KO_TITLES[number]}\n" in readme
    with pytest.raises(KeyError):
        step_info(LAST + 1)


def test_an_api_that_stops_answering_is_an_emulator_gone_only_when_its_process_exits() -> None:
    """An emulator that closed its port on SIGTERM is still a process for a moment: the console waits for it
    to exit before saying the emulator went away; one that keeps running is an API problem, said as such."""
    from alblab.console.live import _gone_soon

    answers = iter([True, True, False])
    assert _gone_soon(lambda: next(answers), grace_s=5.0)
    assert not _gone_soon(lambda: True, grace_s=0.3)
