"""Unit tests of the renderer's pieces, on their text output (no HAProxy process needed except for -c)."""

from __future__ import annotations

import dataclasses
import re
import shutil
from pathlib import Path

import pytest
from haproxy_helpers import forward, listener, stack, tg

from alblab.dataplane.haproxy import NodeConfig, check_config, render
from alblab.dataplane.haproxy.actions import fixed_response_lines, forward_lines, redirect_lines
from alblab.dataplane.haproxy.backend import (
    balance_line,
    health_check_lines,
    render_backend,
    server_lines,
    stickiness_lines,
)
from alblab.dataplane.haproxy.frontend import bind_lines, forwarded_lines, selection_lines, tls_versions
from alblab.dataplane.haproxy.match import condition_acl, header_regex, host_regex, path_regex, query_regex
from alblab.dataplane.haproxy.names import cfg_word
from alblab.dataplane.haproxy.runtime import parse_show_proc, parse_show_stat
from alblab.model import Action, Condition, FixedResponse, HealthCheck, Instance, Redirect, Rule, Target


def unquote(word: str) -> str:
    """HAProxy's tokenizer for the escapes cfg_word emits (the inverse it must agree with)."""
    return re.sub(rb"\\x([0-9a-f]{2})", lambda m: bytes([int(m.group(1), 16)]), word.encode()).decode()


@pytest.mark.parametrize("value", ["plain", "two words", 'it\'s "q" #c\nnext', "100% \\ back", "café"])
def test_cfg_word_is_one_token_that_decodes_back(value: str) -> None:
    word = cfg_word(value)
    assert not re.search(r"[\s#'\"]", word)
    assert unquote(word) == value


def test_cfg_word_of_empty_string_is_an_empty_quoted_word() -> None:
    assert cfg_word("") == "''"


@pytest.mark.parametrize(
    ("pattern", "yes", "no"),
    [
        ("/img/*", ["/img/", "/img/a/b.png"], ["/IMG/a", "/img", "x/img/a"]),
        ("/v?/x.y", ["/v1/x.y"], ["/v12/x.y", "/v1/xzy"]),
        ("/a+b$(c)", ["/a+b$(c)"], ["/aab$(c)", "/a+b"]),
    ],
)
def test_path_regex_is_anchored_case_sensitive_and_escapes_literals(
    pattern: str, yes: list[str], no: list[str]
) -> None:
    rx = re.compile(path_regex(pattern))
    assert all(rx.search(v) for v in yes)
    assert not any(rx.search(v) for v in no)


def test_host_regex_ignores_port_and_case_with_the_i_flag() -> None:
    rx = re.compile(host_regex("*.example.com"), re.I)
    assert rx.search("API.example.COM:8443") and rx.search("a.b.example.com")
    assert not rx.search("example.com") and not rx.search("x.example.com.evil")


def test_header_regex_matches_whole_value() -> None:
    rx = re.compile(header_regex("Mozilla*"), re.I)
    assert rx.search("mozilla/5.0 (X11, Linux)") and not rx.search("Not Mozilla")


@pytest.mark.parametrize(
    ("key", "value", "yes", "no"),
    [
        ("ver", "2*", ["ver=2", "a=1&VER=2b", "ver=%32x"], ["ver=3&x=2", "aver=2", "ver=1"]),
        (None, "beta", ["a=beta", "beta", "x=1&b=BETA&c"], ["a=betax", "beta=1x"]),
        ("q", "a\\*b", ["q=a*b", "q=a%2Ab"], ["q=axb"]),
        ("k", "a*z", ["k=abcz", "k=az"], ["k=a&b=z", "k=a&k=z"]),
    ],
)
def test_query_regex(key: str | None, value: str, yes: list[str], no: list[str]) -> None:
    rx = re.compile(query_regex(key, value), re.I)
    assert all(rx.search(v) for v in yes), [v for v in yes if not rx.search(v)]
    assert not any(rx.search(v) for v in no), [v for v in no if rx.search(v)]


@pytest.mark.parametrize(
    ("cond", "expected"),
    [
        (Condition("path-pattern", ("/a", "/b*")), "acl n path -m reg ^[/]a$ ^[/]b.*$"),
        (Condition("host-header", ("a.test",)), "acl n req.hdr(host) -m reg -i ^a[.]test(:[0-9]+)?$"),
        (Condition("http-header", ("x",), header_name="X-Env"), "acl n req.fhdr(X-Env) -m reg -i ^x$"),
        (Condition("http-request-method", ("GET", "PATCH")), "acl n method -m str GET PATCH"),
        (Condition("source-ip", ("10.0.0.0/8", "::1/128")), "acl n src 10.0.0.0/8 ::1/128"),
    ],
)
def test_condition_acl(cond: Condition, expected: str) -> None:
    assert condition_acl("n", cond) == expected


def test_rules_select_in_priority_order_and_default_last() -> None:
    a = tg("a", [("127.0.0.2", 80)])
    rules = [
        Rule("r2", 20, (Condition("path-pattern", ("/x",)),), forward(a)),
        Rule(
            "r1",
            10,
            (Condition("path-pattern", ("/y",)), Condition("http-request-method", ("GET",))),
            forward(a),
        ),
    ]
    acls, select = selection_lines(listener(80, forward(a), rules))
    assert [line.split()[1] for line in acls] == ["r10_c0_path", "r10_c1_http", "r20_c0_path"]
    assert select == [
        "http-request set-var(txn.rule) int(10) if !{ var(txn.rule) -m found } r10_c0_path r10_c1_http",
        "http-request set-var(txn.rule) int(20) if !{ var(txn.rule) -m found } r20_c0_path",
        "http-request set-var(txn.rule) int(0) if !{ var(txn.rule) -m found }",
    ]


def test_fixed_response_line() -> None:
    (line,) = fixed_response_lines(7, FixedResponse(503, "text/html", "<b>down now</b>")).http_request
    assert line == (
        "http-request return status 503 content-type text/html string <b>down\\x20now</b>"
        " if { var(txn.rule) -m int eq 7 }"
    )
    (empty,) = fixed_response_lines(1, FixedResponse(204)).http_request
    assert (
        empty == "http-request return status 204 hdr content-type text/plain if { var(txn.rule) -m int eq 1 }"
    )


def test_redirect_uses_listener_constants_and_request_placeholders() -> None:
    a = tg("a", [("127.0.0.2", 80)])
    http = listener(8080, forward(a))
    lines = redirect_lines(3, Redirect(protocol="HTTPS", port="443", query=""), http).http_request
    assert lines == [
        "http-request redirect location https://%[req.hdr(host),field(1,:)]:443/%[path,regsub(^/,)] code 301 "
        "if { var(txn.rule) -m int eq 3 }"
    ]
    dyn = redirect_lines(4, Redirect(host="www.#{host}", path="/#{port}/x", status_code="HTTP_302"), http)
    assert (
        dyn.http_request[0] == "http-request set-var-fmt(txn.rq4) %[query] if { var(txn.rule) -m int eq 4 }"
    )
    assert (
        "http://www.%[req.hdr(host),field(1,:)]:8080/8080/x?%[var(txn.rq4)] code 302" in dyn.http_request[1]
    )
    assert dyn.http_request[2].endswith("/8080/x code 302 if { var(txn.rule) -m int eq 4 }")


def test_weighted_forward_with_group_stickiness() -> None:
    a, b, z = tg("a", [("127.0.0.2", 80)]), tg("b", [("127.0.0.3", 80)]), tg("z", [("127.0.0.4", 80)])
    out = forward_lines(9, forward(a, b, z, weights=(3, 1, 0), sticky=60), stack([], [a, b, z]))
    assert out.http_request == ["http-request set-var(txn.pick9) rand(4) if { var(txn.rule) -m int eq 9 }"]
    rule = "{ var(txn.rule) -m int eq 9 }"
    fresh = "{ req.cook(AWSALBTG),field(2,|),sub(txn.now) gt 0 }"
    assert out.use_backend == [
        f"use_backend tg-a if {rule} {{ req.cook(AWSALBTG),field(1,|) -m str tg-a }} {fresh}",
        f"use_backend tg-b if {rule} {{ req.cook(AWSALBTG),field(1,|) -m str tg-b }} {fresh}",
        "use_backend tg-a if { var(txn.rule) -m int eq 9 } { var(txn.pick9) -m int lt 3 }",
        "use_backend tg-b if { var(txn.rule) -m int eq 9 }",
    ]
    # https://docs.aws.amazon.com/elasticloadbalancing/latest/application/sticky-sessions.html: Expires
    # (7 days), never Max-Age; the group's duration lives in the value.
    cookie, cors = (unquote(line) for line in out.http_response)
    assert "AWSALBTG=%[be_name]|%[date(60)]; Expires=%[date(604800),http_date]; Path=/ if" in cookie
    assert "AWSALBTGCORS=" in cors and "SameSite=None; Secure" in cors and "Max-Age" not in cookie + cors


@pytest.mark.parametrize(
    ("algorithm", "expected"),
    [
        ("round_robin", "static-rr"),
        ("least_outstanding_requests", "leastconn"),
        ("weighted_random", "random(1)"),
    ],
)
def test_balance_line(algorithm: str, expected: str) -> None:
    group = tg("a", [("127.0.0.2", 80)], attributes={"load_balancing.algorithm.type": algorithm})
    assert balance_line(group) == f"balance {expected}"


def test_round_robin_with_slow_start_keeps_dynamic_weights() -> None:
    group = tg("a", [("127.0.0.2", 80)], attributes={"slow_start.duration_seconds": "30"})
    assert balance_line(group) == "balance roundrobin"


def test_health_check_lines_and_server_timing() -> None:
    hc = HealthCheck(
        path="/hc",
        port="8081",
        matcher="200,202-204",
        interval=10,
        timeout=3,
        healthy_threshold=4,
        unhealthy_threshold=3,
    )
    lines = health_check_lines(hc)
    assert "http-check expect status 200,202-204" in lines and "timeout check 3s" in lines
    # What ALB's checks send: https://docs.aws.amazon.com/elasticloadbalancing/latest/application/
    # load-balancer-troubleshooting.html ("A registered target is not in service").
    (send,) = [line for line in lines if line.startswith("http-check send meth GET uri /hc ver HTTP/1.1")]
    assert send.endswith("hdr User-Agent ELB-HealthChecker/2.0")
    group = tg("a", [("127.0.0.2", 80)], health=hc, attributes={"slow_start.duration_seconds": "30"})
    primary, backup = server_lines(stack([], [group]), group)
    assert primary == "server 127.0.0.2_80 127.0.0.2:80 check inter 10s fall 3 rise 4 port 8081 slowstart 30s"
    assert backup == "server 127.0.0.2_80-failopen 127.0.0.2:80 backup"
    assert health_check_lines(HealthCheck(enabled=False)) == []


def test_instance_targets_resolve_to_private_ips_and_stopped_ones_are_skipped() -> None:
    group = tg("i", [], target_type="instance")
    group = type(group)(**{**group.__dict__, "targets": (Target("i-1", 80), Target("i-2", 80))})
    st = stack([], [group])
    st.instances = {
        "i-1": Instance("i-1", "10.0.1.4", "subnet-1", "us-east-1a", ()),
        "i-2": Instance("i-2", "10.0.1.5", "subnet-1", "us-east-1a", (), state="stopped"),
    }
    lines = server_lines(st, group)
    assert lines[0].startswith("server i-1_80 10.0.1.4:80 ")
    assert lines[1].startswith("# i-2_80: no address")


def test_stickiness_lines() -> None:
    lb = tg(
        "a",
        [],
        attributes={
            "stickiness.enabled": "true",
            "stickiness.type": "lb_cookie",
            "stickiness.lb_cookie.duration_seconds": "120",
        },
    )
    lb = dataclasses.replace(lb, targets=(Target("127.0.0.2", 80), Target("127.0.0.3", 80)))
    lines = stickiness_lines(stack([], [lb]), lb)
    assert lines[:2] == [
        f"use-server {name} if {{ req.cook(AWSALB),field(1,|) -m str {name} }} "
        "{ req.cook(AWSALB),field(2,|),sub(txn.now) gt 0 }"
        for name in ("127.0.0.2_80", "127.0.0.3_80")
    ]
    assert "AWSALB=%[srv_name,regsub(-failopen$,)]|%[date(120)]; Expires=" in unquote(lines[2])
    app = tg(
        "b",
        [],
        attributes={
            "stickiness.enabled": "true",
            "stickiness.type": "app_cookie",
            "stickiness.app_cookie.cookie_name": "SID",
        },
    )
    assert "stick on req.cook(SID)" in stickiness_lines(stack([], [app]), app)
    off = tg("c", [], attributes={"stickiness.enabled": "false"})
    assert stickiness_lines(stack([], [off]), off) == []


@pytest.mark.parametrize(
    ("policy", "versions"),
    [
        ("ELBSecurityPolicy-TLS13-1-2-2021-06", ("TLSv1.2", "TLSv1.3")),
        ("ELBSecurityPolicy-TLS13-1-3-2021-06", ("TLSv1.3", "TLSv1.3")),
        ("ELBSecurityPolicy-TLS-1-2-Ext-2018-06", ("TLSv1.2", "TLSv1.2")),
        ("ELBSecurityPolicy-2016-08", ("TLSv1.0", "TLSv1.2")),
    ],
)
def test_tls_versions(policy: str, versions: tuple[str, str]) -> None:
    assert tls_versions(policy) == versions


def test_https_bind_lists_default_certificate_first_and_needs_every_pem() -> None:
    a = tg("a", [("127.0.0.2", 80)])
    https = listener(443, forward(a), protocol="HTTPS", certificate_arns=("arn:d", "arn:x"))
    certs = {"arn:x": Path("/c/x.pem"), "arn:d": Path("/c/d.pem")}
    (line,) = bind_lines(https, ("10.0.1.10",), certs, http2=True)
    assert line.startswith("bind 10.0.1.10:443 ssl crt /c/d.pem crt /c/x.pem ")
    assert "alpn h2,http/1.1" in line
    with pytest.raises(ValueError, match="arn:x"):
        bind_lines(https, ("10.0.1.10",), {"arn:d": Path("/c/d.pem")}, http2=True)


def test_forwarded_lines_per_mode() -> None:
    lst = listener(80, Action("fixed-response", fixed_response=FixedResponse(200)))
    assert any("set-header X-Forwarded-For" in line for line in forwarded_lines(lst, {}))
    assert not any(
        "Forwarded-For" in line
        for line in forwarded_lines(lst, {"routing.http.xff_header_processing.mode": "preserve"})
    )
    assert "http-request del-header X-Forwarded-For" in forwarded_lines(
        lst, {"routing.http.xff_header_processing.mode": "remove"}
    )
    assert "http-request set-header X-Forwarded-Port 80" in forwarded_lines(lst, {})


def test_show_proc_and_show_stat_parsers() -> None:
    proc = parse_show_proc(
        "#<PID>  <type>  <reloads>  <uptime>  <version>\n"
        "100     master  2 [failed: 1]   0d00h00m02s  2.6.12\n# workers\n205  worker  0  0d  2.6.12\n"
        "# old workers\n150  worker  1  0d  2.6.12\n# programs\n"
    )
    assert (proc.reloads, proc.failed, proc.workers) == (2, 1, {205: 0})
    stat = parse_show_stat(
        "# pxname,svname,status,x\nlistener-80,FRONTEND,OPEN,\ntg-a,s1,UP,\ntg-a,s1-failopen,no check,\n"
        "tg-a,s2,DOWN,\ntg-a,BACKEND,UP,\n"
    )
    assert stat == {("tg-a", "s1"): "UP", ("tg-a", "s2"): "DOWN"}


@pytest.mark.skipif(shutil.which("haproxy") is None, reason="haproxy not installed")
def test_full_render_passes_haproxy_check(tmp_path: Path) -> None:
    a = tg(
        "a", [("127.0.0.2", 80)], attributes={"stickiness.enabled": "true", "stickiness.type": "lb_cookie"}
    )
    b = tg("b", [("127.0.0.3", 80)])
    rules = [
        Rule(
            "1",
            1,
            (Condition("query-string", query_pairs=(("k", "v*"),)),),
            forward(a, b, weights=(1, 1), sticky=9),
        ),
        Rule("2", 2, (Condition("path-pattern", ("/r",)),), Action("redirect", redirect=Redirect())),
    ]
    node = NodeConfig(bind_ips=("127.0.0.1", "127.0.0.2"), run_dir=tmp_path, log_stdout=True)
    text = render(
        stack([listener(18099, forward(a), rules)], [a, b], {"idle_timeout.timeout_seconds": "7"}), node
    )
    assert "timeout client 7s" in text and text.count("bind 127.0.0.") == 2
    # ALB/load-balancer-limits.html: a response header over 32 K is ALB's 502.
    assert "http-response return status 502 " in text and "if { res.hdrs,length gt 32768 }" in text
    node.cfg_path.write_text(text)
    check_config(node.cfg_path)


def test_only_a_group_without_servers_answers_503_itself() -> None:
    """503 when "the target groups for the load balancer have no registered targets" (https://docs.aws.amazon.com/
    elasticloadbalancing/latest/application/load-balancer-troubleshooting.html): decided when rendering, never
    from HAProxy's live server count (it reads 0 for a moment while a reloaded worker loads its state)."""
    empty, full = tg("e", []), tg("f", [("127.0.0.2", 80)])
    assert "http-request return status 503 " in render_backend(stack([], [empty]), empty)
    text = render_backend(stack([], [full]), full)
    assert "status 503" not in text and "nbsrv" not in text
