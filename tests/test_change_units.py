"""The change check's pure parts, on hand-built models and Terraform events (no emulator): the routing and
reachability diffs, Terraform's apply timeline, and how failed requests are judged and put in windows."""

from __future__ import annotations

import dataclasses
import json

from factories import (
    chained_stack,
    eg,
    fixed,
    forward,
    host,
    ing,
    instance,
    listener,
    path,
    rule,
    sg,
    source_ip,
    stack,
    target_group,
    tg_arn,
)

from alblab import tfevents
from alblab.change import ChangeReport, Traffic, accepted, judge, target_group_labels, windows
from alblab.dataplane.loop import Attempt, LoopRequest
from alblab.follow import changes
from alblab.tfevents import ResourceOp
from alblab.verdicts.diff import reach_diff, routing_diff
from alblab.verdicts.routing import Request


def web_stack(*rules, default=None, groups=("web",)):  # type: ignore[no-untyped-def]
    tgs = tuple(target_group(tg_arn(name), f"shop-{name}", 8080, "i-web1") for name in groups)
    base = chained_stack()
    lst = listener(default or forward("web"), *rules)
    return dataclasses.replace(
        base,
        load_balancer=dataclasses.replace(base.load_balancer, listeners=(lst,)),
        target_groups={tg.arn: tg for tg in tgs},
    )


# --- routing diff --------------------------------------------------------------------------------------


def test_a_rule_added_at_a_lower_priority_shows_the_requests_it_captures() -> None:
    before = web_stack(rule(10, fixed(503, "Back soon"), path("/maintenance*")))
    after = web_stack(
        rule(5, fixed(403, "Members only"), path("/m*")),
        rule(10, fixed(503, "Back soon"), path("/maintenance*")),
    )
    moved = {c.request.path: c for c in routing_diff(before, after)}
    # Rule 10's own request, now caught first by rule 5; and rule 5's own request, which went to the default.
    assert set(moved) == {"/maintenance", "/m", "/mx", "/malblab", "/maintenancex", "/maintenancealblab"}
    captured = moved["/maintenance"]
    assert (captured.before.rule, captured.after.rule) == ("rule 10", "rule 5")
    assert captured.before.answer.startswith("fixed 503") and captured.after.answer.startswith("fixed 403")
    assert moved["/m"].before.describe() == "forward shop-web (default)"
    assert "/alblab-default-probe" not in moved  # the default action still answers it


def test_a_path_rule_moved_ahead_of_a_host_rule_takes_the_requests_both_match() -> None:
    shop = rule(10, forward("shop"), host("shop.example.com"))
    blog = rule(40, forward("blog"), path("/blog*"))
    before = web_stack(shop, blog, groups=("web", "shop", "blog"))
    after = web_stack(shop, dataclasses.replace(blog, priority=5), groups=("web", "shop", "blog"))
    (change,) = routing_diff(before, after)
    assert (change.request.host, change.request.path) == ("shop.example.com", "/blog")
    assert change.before.describe() == "forward shop-shop (rule 10)"
    assert change.after.describe() == "forward shop-blog (rule 5)"


def test_no_change_no_diff_and_a_replaced_group_is_the_same_group_by_label() -> None:
    before = web_stack(rule(10, forward("api"), path("/api/*")), groups=("web", "api"))
    assert routing_diff(before, before) == []
    # The api group replaced (new ARN, new name): by name the forward moved, by a stable label it did not.
    renamed = target_group(tg_arn("api2"), "shop-api-9c3d", 8081, "i-web1")
    after = web_stack(rule(10, forward("api2"), path("/api/*")), groups=("web",))
    after.target_groups[renamed.arn] = renamed
    assert [c.request.path for c in routing_diff(before, after)] == ["/api/", "/api/x", "/api/alblab"]
    stable = {tg_arn("api"): "api", tg_arn("api2"): "api", tg_arn("web"): "web"}
    assert routing_diff(before, after, stable.__getitem__, stable.__getitem__) == []


def test_a_removed_listener_answers_no_listener() -> None:
    before = web_stack()
    after = dataclasses.replace(before, load_balancer=dataclasses.replace(before.load_balancer, listeners=()))
    (change,) = routing_diff(before, after)
    assert change.after.describe() == "no listener" and change.before.rule == "default"


def test_source_ip_rules_are_routed_with_their_own_source() -> None:
    before = web_stack()
    after = web_stack(rule(1, fixed(403), source_ip("198.51.100.0/24")))
    (change,) = routing_diff(before, after)
    assert change.request.source_ip == "198.51.100.1" and change.after.rule == "rule 1"


# --- reachability diff ---------------------------------------------------------------------------------


def reach_stack(alb_ingress: tuple, web_ingress: tuple):  # type: ignore[no-untyped-def,type-arg]
    alb = sg("sg-alb", "shop-alb", ingress=alb_ingress, egress=(eg("tcp", (8080, 8081), "sg-web"),))
    web = sg("sg-web", "shop-targets", ingress=web_ingress)
    return stack([alb, web], [instance("i-web1", "10.0.1.4", "sg-web", name="web-a")])


def test_reach_diff_names_port_peer_and_direction() -> None:
    before = reach_stack((ing("tcp", 80, "0.0.0.0/0"),), (ing("tcp", 8080, "sg-alb"),))
    after = reach_stack(
        (ing("tcp", 80, "10.0.0.0/8"),), (ing("tcp", 8081, "sg-alb"), ing("tcp", 22, "0.0.0.0/0"))
    )
    got = {c.describe() for c in reach_diff(before, after)}
    assert got == {
        "the ALB (shop-alb) tcp/80 opened to 10.0.0.0/8",
        "the ALB (shop-alb) tcp/80 closed for 0.0.0.0/0",
        "instance web-a tcp/8081 opened to the ALB",
        "instance web-a tcp/8080 closed for the ALB",
        "instance web-a tcp/22 opened to the internet (203.0.113.10)",
    }
    assert reach_diff(after, after) == []


# --- Terraform's timeline ------------------------------------------------------------------------------


def event(kind: str, address: str, action: str, t: str) -> dict:  # type: ignore[type-arg]
    return {
        "@timestamp": f"2026-12-03T10:00:{t}Z",
        "type": kind,
        "hook": {"resource": {"addr": address}, "action": action},
    }


IN_USE = (
    "deleting ELBv2 Target Group (arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/shop/1): "
    "operation error Elastic Load Balancing v2: DeleteTargetGroup, https response error StatusCode: 400, "
    "RequestID: 5e4b, ResourceInUse: The target group 'arn:...' is currently in use by a listener or a rule"
)


def test_operations_and_failures_from_apply_json() -> None:
    lines = [
        event("apply_start", "data.aws_region.here", "read", "00.000000"),
        event("apply_start", "aws_lb_target_group_attachment.app[\"a\"]", "delete", "01.000000"),
        event("apply_complete", "aws_lb_target_group_attachment.app[\"a\"]", "delete", "01.250000"),
        event("apply_start", "aws_lb_target_group.app", "delete", "01.300000"),
        event("apply_errored", "aws_lb_target_group.app", "delete", "09.300000"),
        event("apply_start", "aws_lb_listener.http", "update", "02.000000"),
        {"type": "diagnostic", "diagnostic": {"severity": "error", "summary": IN_USE, "detail": "",
                                              "address": "aws_lb_target_group.app"}},
    ]  # fmt: skip
    events = tfevents.parse_lines("\n".join(json.dumps(e) for e in lines) + "\nnot json\n")
    ops = tfevents.operations(events)
    assert [(op.describe(), op.outcome) for op in ops] == [
        ('delete aws_lb_target_group_attachment.app["a"]', "done"),
        ("delete aws_lb_target_group.app", "failed"),
        ("update aws_lb_listener.http", "unfinished"),
    ]
    assert ops[0].end is not None and round(ops[0].end - ops[0].start, 3) == 0.25
    (failure,) = tfevents.failures(events)
    assert failure.describe() == (
        "aws_lb_target_group.app: ResourceInUse: The target group 'arn:...' is currently in use by a "
        "listener or a rule"
    )


# --- judging the request loop --------------------------------------------------------------------------


def test_a_failure_without_an_address_takes_the_operation_that_failed() -> None:
    events = [
        event("apply_start", "aws_lb_target_group.app", "delete", "01.000000"),
        event("apply_errored", "aws_lb_target_group.app", "delete", "02.000000"),
        {"type": "diagnostic", "diagnostic": {"severity": "error", "summary": IN_USE, "detail": ""}},
        {"type": "diagnostic", "diagnostic": {"severity": "warning", "summary": "deprecated", "detail": ""}},
    ]
    (failure,) = tfevents.failures(events)
    assert failure.address == "aws_lb_target_group.app" and failure.describe().startswith(
        "aws_lb_target_group.app: ResourceInUse: "
    )


def test_a_window_names_what_changed_since_the_data_plane_last_took_a_state() -> None:
    ops = [
        ResourceOp("aws_lb_target_group_attachment.app", "delete", 100.0, 100.2, "done"),
        ResourceOp("aws_vpc_security_group_ingress_rule.app", "update", 100.1, 100.3, "done"),
        ResourceOp("aws_lb_target_group.app", "delete", 100.4, 220.0, "failed"),
    ]
    # The plane took a state at +1.0 (before the deletes) and at +3.0 (after them); failures from +3.5.
    (window,) = windows([(3.5, "r", "503"), (4.0, "r", "503")], ops, 99.0, states=[100.0, 102.0])
    assert window.during == ("delete aws_lb_target_group.app",)
    assert window.after == (
        "delete aws_lb_target_group_attachment.app",
        "update aws_vpc_security_group_ingress_rule.app",
    )


def test_judge_counts_what_neither_version_answers_and_names_the_window() -> None:
    before = web_stack(rule(10, fixed(503, "Back soon"), path("/maintenance*")))
    after = web_stack(rule(10, fixed(410, "Gone"), path("/maintenance*")))
    requests = [
        (LoopRequest(80, path="/maintenance"), 80, Request(path="/maintenance")),
        (LoopRequest(80, path="/"), 80, Request(path="/")),
    ]
    start = 1000.0
    attempts = [
        Attempt(999.5, 1, 503),  # before the apply: the base's own failure, counted apart
        Attempt(1000.1, 0, 503),  # before's answer
        Attempt(1000.2, 0, 410),  # after's answer
        Attempt(1001.0, 1, 503),  # a forward answered 503: an error
        Attempt(1001.5, 1, 0, "connection refused"),
        Attempt(1009.0, 1, 502),  # a second window
        Attempt(1010.0, 1, 200),
    ]
    ops = [
        ResourceOp('aws_lb_target_group_attachment.app["a"]', "delete", 1000.5, 1000.7, "done"),
        ResourceOp("aws_lb_target_group.app", "delete", 1000.8, 1007.5, "done"),
    ]
    traffic = judge(attempts, requests, before, after, "198.51.100.7", start, ops)
    assert traffic.sent == 6 and traffic.baseline_failed == 1
    assert [why for _t, _r, why in traffic.failed] == ["503", "connection refused", "502"]
    assert (traffic.bad_answers, traffic.failed_connections) == (2, 1)
    first, second = traffic.windows
    assert first.failed == 2 and first.during == ("delete aws_lb_target_group.app",)
    assert first.after == ('delete aws_lb_target_group_attachment.app["a"]',)
    assert "2 failed (503 x1, connection refused x1) at +1.0..+1.5 s" in first.describe()
    assert second.failed == 1 and second.during == () and second.after == ()


def test_accepted_statuses_per_action() -> None:
    assert accepted(forward("web")) == set(range(200, 300))
    assert accepted(fixed(404)) == {404}


def test_windows_split_on_gaps() -> None:
    failed = [(1.0, "r", "503"), (2.5, "r", "503"), (5.0, "r", "503")]
    assert [w.failed for w in windows(failed, [], 0.0)] == [2, 1]


def test_report_results_and_assertions() -> None:
    before = web_stack(rule(10, fixed(503, "Back soon"), path("/maintenance*")))
    after = web_stack(
        rule(5, fixed(403, "Members only"), path("/m*")),
        rule(10, fixed(503, "Back soon"), path("/maintenance*")),
    )
    report = ChangeReport("base", "change", applied=True, routing=routing_diff(before, after))
    report.traffic = Traffic(["GET /"], sent=40)
    report.assert_applies()
    report.assert_no_errors_during_change()
    report.assert_routes_unchanged(except_="/m*")
    try:
        report.assert_routes_unchanged(except_=["/members*"])
    except AssertionError as exc:
        assert "/maintenance" in str(exc) and "rule 10" in str(exc) and "rule 5" in str(exc)
    else:
        raise AssertionError("a request that moved must fail assert_routes_unchanged")
    names = {r.name: r.status for r in report.results()}
    assert names == {
        "change applies": "pass",
        "no errors while the change applies": "pass",
        "routing diff": "pass",
        "reachability diff": "pass",
    }
    failed = ChangeReport("base", "change", error="terraform apply failed (exit 1)")
    assert next(r for r in failed.results() if r.name == "change applies").status == "fail"
    skipped = ChangeReport("base", "change", applied=True, traffic_skipped="--no-dataplane")
    assert "--no-dataplane" in next(r.detail for r in skipped.results() if r.status == "skip")


def test_target_group_labels_follow_the_address() -> None:
    resources = [
        {"address": 'module.alb.module.target_group["web"].aws_lb_target_group.this', "type":
         "aws_lb_target_group", "values": {"arn": "arn:tg/1"}},
        {"address": "aws_lb_target_group.app", "type": "aws_lb_target_group", "values": {"arn": "arn:tg/2"}},
        {"address": "aws_lb.this", "type": "aws_lb", "values": {"arn": "arn:lb"}},
    ]  # fmt: skip
    assert target_group_labels(resources) == {
        "arn:tg/1": 'target_group["web"]',
        "arn:tg/2": "aws_lb_target_group.app",
    }


def test_follow_changes_in_words() -> None:
    before = web_stack(rule(10, forward("api"), path("/api/*")), groups=("web", "api"))
    after = web_stack(default=forward("api"), groups=("api",))
    assert changes(before, after) == [
        "target group shop-web out of use",
        "listener 80: default action",
        "listener 80: rules",
    ]


def test_a_converge_opens_the_union_of_both_states_first() -> None:
    from alblab.dataplane.staging import widened

    old = reach_stack((ing("tcp", 80, "0.0.0.0/0"),), (ing("tcp", 8080, "sg-alb"),))
    new = reach_stack(
        (ing("tcp", 80, "10.0.0.0/8"),), (ing("tcp", 8080, "sg-alb"), ing("tcp", 8081, "sg-alb"))
    )
    both = widened(old, new)
    assert set(both.security_groups["sg-alb"].ingress) == {
        ing("tcp", 80, "0.0.0.0/0"),
        ing("tcp", 80, "10.0.0.0/8"),
    }
    # Only opening: exactly the new rules, in their order (the ruleset text does not change twice).
    assert both.security_groups["sg-web"].ingress == new.security_groups["sg-web"].ingress
    assert widened(new, old).security_groups["sg-web"].ingress == new.security_groups["sg-web"].ingress
