"""What the check's benchmark reads from a traced run, without running one: the provider's waits inside each
resource operation, the critical path through the dependency order, the emulator's time per request, the
process kinds the CPU is split into, and that nothing is traced unless asked."""

from __future__ import annotations

import importlib.util
import io
import json
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from alblab import trace
from alblab.emulator_times import RequestTimes, describe
from alblab.tfevents import ResourceOp

BENCHMARKS = Path(__file__).parent.parent / "benchmarks"


def _load(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"bench_{name}", BENCHMARKS / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


floor = _load("floor")
procstat = _load("procstat")
T0 = 1_700_000_000.0


def call(start: float, seconds: float, kind: str, req: str) -> Any:
    return floor.Call(T0 + start + seconds, seconds, "ApplyResourceChange", req, kind)


def test_a_wait_is_a_long_stretch_without_a_call_in_flight_inside_its_own_operation() -> None:
    ops = [
        ResourceOp("aws_lb.this", "create", T0, T0 + 70, "done"),
        ResourceOp("aws_security_group.lb", "create", T0, T0 + 3, "done"),
    ]
    calls = [
        call(0.2, 0.1, "aws_lb", "r1"),  # CreateLoadBalancer
        call(30.3, 0.1, "aws_lb", "r1"),  # first poll after the waiter's 30 s
        call(60.4, 0.1, "aws_lb", "r1"),
        call(60.9, 0.1, "aws_lb", "r1"),  # 0.4 s apart: CPU between calls, no wait
        call(0.1, 2.5, "aws_security_group", "r2"),  # one slow call: busy, not waiting
        call(2.7, 0.2, "aws_security_group", "r2"),
    ]
    got = floor.waits(ops, calls)
    # 0.3 -> 30.3 and 30.4 -> 60.4 idle; 61.0 -> 70.0 (the op's end) idle too.
    assert got["aws_lb.this"] == pytest.approx(30.0 + 30.0 + 9.0)
    assert got["aws_security_group.lb"] == pytest.approx(0.0)


def test_an_rpc_goes_to_the_operation_of_its_type_that_started_last_before_it() -> None:
    # Two instances created side by side: each RPC's calls belong to one of them only.
    ops = [
        ResourceOp('aws_instance.web["a"]', "create", T0, T0 + 12, "done"),
        ResourceOp('aws_instance.web["b"]', "create", T0 + 1, T0 + 13, "done"),
    ]
    calls = [call(0.1, 0.2, "aws_instance", "a"), call(11.0, 0.2, "aws_instance", "a")]
    calls += [call(1.1, 0.2, "aws_instance", "b"), call(12.5, 0.2, "aws_instance", "b")]
    got = floor.waits(ops, calls)
    # Stretches under a second (before the first call, after the last) are no wait.
    assert got['aws_instance.web["a"]'] == pytest.approx(11.0 - 0.3)
    assert got['aws_instance.web["b"]'] == pytest.approx(12.5 - 1.3)


def test_the_floor_is_the_heaviest_chain_forward_for_an_apply_backward_for_a_destroy() -> None:
    state = {
        "resources": [
            {"mode": "data", "type": "aws_ami", "name": "x", "instances": [{}]},
            {"mode": "managed", "type": "aws_vpc", "name": "v", "instances": [{}]},
            {
                "mode": "managed",
                "type": "aws_instance",
                "name": "web",
                "instances": [
                    {"index_key": "a", "dependencies": ["aws_vpc.v"]},
                    {"index_key": 0, "dependencies": ["aws_vpc.v"]},
                ],
            },
            {
                "module": "module.alb",
                "mode": "managed",
                "type": "aws_lb",
                "name": "this",
                "instances": [{"dependencies": ["aws_vpc.v", "aws_instance.web"]}],
            },
        ]
    }
    deps = floor.dependencies(state)
    assert set(deps) == {
        "aws_vpc.v",
        'aws_instance.web["a"]',
        "aws_instance.web[0]",
        "module.alb.aws_lb.this",
    }
    weight = {'aws_instance.web["a"]': 10.0, "aws_instance.web[0]": 12.0, "module.alb.aws_lb.this": 60.0}
    total, path = floor.longest_path(deps, weight, reverse=False)
    assert (total, path) == (72.0, ["aws_vpc.v", "aws_instance.web[0]", "module.alb.aws_lb.this"])
    # Destroyed: the ALB goes first, then the instances, then the VPC.
    total, path = floor.longest_path(deps, {**weight, "aws_vpc.v": 1.0}, reverse=True)
    assert (total, path) == (73.0, ["module.alb.aws_lb.this", "aws_instance.web[0]", "aws_vpc.v"])
    assert floor.longest_path({}, {}, reverse=False) == (0.0, [])


def test_addresses_strip_to_their_resource_and_type() -> None:
    assert floor.resource_of('module.m["a.b"].aws_lb_listener_rule.r["x.y"]') == (
        'module.m["a.b"].aws_lb_listener_rule.r'
    )
    assert floor.type_of('module.m["a.b"].aws_lb_listener_rule.r["x.y"]') == "aws_lb_listener_rule"
    assert floor.type_of("aws_lb.this[0]") == "aws_lb"


def test_provider_calls_come_from_its_debug_log() -> None:
    lines = [
        "not json at all",
        json.dumps({"@message": "HTTP Request Sent", "@timestamp": "2026-01-01T00:00:00.000000Z"}),
        json.dumps(
            {
                "@message": "HTTP Response Received",
                "@timestamp": "2026-01-01T00:00:01.500000Z",
                "http.duration": 250,
                "tf_rpc": "ApplyResourceChange",
                "tf_req_id": "abc",
                "tf_resource_type": "aws_lb",
            }
        ),
    ]
    (got,) = floor.provider_calls(lines)
    assert got.seconds == 0.25 and got.rpc == "ApplyResourceChange" and got.resource_type == "aws_lb"
    assert got.end - got.start == pytest.approx(0.25)
    assert got.end == pytest.approx(1767225601.5)


def test_percentile() -> None:
    assert floor.percentile([], 0.5) == 0.0
    assert floor.percentile([3.0, 1.0, 2.0, 4.0], 0.5) == 3.0
    assert floor.percentile([3.0, 1.0, 2.0, 4.0], 0.99) == 4.0


def _environ(**extra: Any) -> dict[str, Any]:
    return {"REQUEST_METHOD": "POST", "PATH_INFO": "/", "QUERY_STRING": "", **extra}


def test_each_request_is_named_by_its_service_and_operation() -> None:
    auth = "AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/{}/aws4_request, SignedHeaders=host"
    body = b"Action=CreateLoadBalancer&Version=2015-12-01"
    form = _environ(
        HTTP_AUTHORIZATION=auth.format("elasticloadbalancing"),
        CONTENT_TYPE="application/x-www-form-urlencoded",
        CONTENT_LENGTH=str(len(body)),
        **{"wsgi.input": io.BytesIO(body)},
    )
    assert describe(form) == ("elasticloadbalancing", "CreateLoadBalancer")
    assert form["wsgi.input"].read() == body  # the body is still there for the emulator
    query = _environ(HTTP_AUTHORIZATION=auth.format("ec2"), QUERY_STRING="Action=DescribeVpcs")
    assert describe(query) == ("ec2", "DescribeVpcs")
    target = _environ(
        HTTP_AUTHORIZATION=auth.format("wafv2"), HTTP_X_AMZ_TARGET="AWSWAF_20190729.ListWebACLs"
    )
    assert describe(target) == ("wafv2", "ListWebACLs")
    rest = _environ(REQUEST_METHOD="GET", PATH_INFO="/2013-04-01/hostedzone")
    assert describe(rest) == ("", "GET /2013-04-01")
    assert describe(_environ(REQUEST_METHOD="GET")) == ("", "GET")


def test_request_times_log_the_whole_server_and_moto_apart(tmp_path: Path) -> None:
    log = tmp_path / "emulator.jsonl"
    times = RequestTimes(log)

    def moto(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        start_response("201 Created", [])
        return [b"made"]

    def layer(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        return list(times.inner(moto)(environ, start_response))

    statuses: list[str] = []
    body = times.outer(layer)(_environ(QUERY_STRING="Action=CreateVpc"), lambda s, h: statuses.append(s))
    assert list(body) == [b"made"] and statuses == ["201 Created"]
    (line,) = [json.loads(x) for x in log.read_text().splitlines()]
    assert line["op"] == "CreateVpc" and line["status"] == "201"
    assert 0 <= line["moto_s"] <= line["s"]


def test_nothing_is_traced_unless_asked(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(trace.TRACE_ENV, raising=False)
    assert trace.trace_path("provider", "log") is None
    monkeypatch.setenv(trace.TRACE_ENV, str(tmp_path))
    first, second = trace.trace_path("provider", "log"), trace.trace_path("provider", "log")
    assert first is not None and first.parent == tmp_path and first.name.startswith("provider.")
    assert first.suffix == ".log" and first != second


@pytest.mark.parametrize(
    ("cmdline", "kind"),
    [
        (b"/opt/providers/terraform-provider-aws_v5.100.0_x5\0", "aws provider"),
        (b"/usr/bin/terraform\0apply\0", "terraform"),
        (b"/work/.venv/bin/python\0-m\0alblab.emulator_server\0--port\01\0", "emulator"),
        (b"/usr/sbin/haproxy\0-f\0x.cfg\0", "data plane"),
        (b"python3\0-m\0alblab.dataplane.backend\0", "data plane"),
        (b"/work/.venv/bin/python\0-m\0alblab.cli\0check\0", "python (alblab, pytest)"),
        (b"/bin/sh\0-c\0true\0", "other"),
    ],
)
def test_process_kinds(cmdline: bytes, kind: str) -> None:
    assert procstat.kind_of(cmdline) == kind
    assert kind in procstat.KINDS


def test_a_traced_emulator_logs_each_request_and_stops_cleanly(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The emulator as the benchmark runs it: one line per request (service, operation, status); SIGTERM
    ends it with exit 0 and the strict layer's summary in its log (it exits without the interpreter's
    clean-up of moto's objects, so nothing may be lost on the way)."""
    from alblab.emulator import Emulator
    from alblab.state import aws_clients

    monkeypatch.setenv(trace.TRACE_ENV, str(tmp_path))
    monkeypatch.delenv("ALBLAB_EMULATOR", raising=False)  # strict, whatever the caller's mode
    emulator = Emulator(state_dir=tmp_path / "state").start()
    proc = emulator._proc
    try:
        clients = aws_clients(emulator.endpoint)
        clients.ec2.describe_vpcs()
        clients.elbv2.describe_load_balancers()
    finally:
        emulator.stop()
    assert proc is not None and proc.returncode == 0
    (log,) = tmp_path.glob(f"emulator-{emulator.port}.*.jsonl")
    lines = [json.loads(x) for x in log.read_text().splitlines()]
    ops = [(x["service"], x["op"], x["status"]) for x in lines if x["service"]]
    assert ops == [("ec2", "DescribeVpcs", "200"), ("elasticloadbalancing", "DescribeLoadBalancers", "200")]
    assert "strict layer:" in (tmp_path / "state" / f"moto-{emulator.port}.log").read_text()
