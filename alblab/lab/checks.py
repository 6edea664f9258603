"""``alblab lab check``: is the lab where the current step expects it? Each problem comes with a hint.

Checks are cumulative (step 7 still expects step 6's hardening) except where a later step changes the
expectation on purpose: the instances are open to anyone in steps 1-5 and only to the ALB from step 6.
Every check reads the API (what Terraform really did) or the data plane (what traffic really does), through
a read-only ``LabView``.
"""

from __future__ import annotations

from collections.abc import Callable

from alblab.lab.observe import ONPREM, Answer, Traffic
from alblab.lab.view import LabView

APPLY_HINT = "did you apply the step? (alblab lab apply)"


def _security_groups(view: LabView) -> list[str]:
    by_name = {sg.name: sg for sg in view.resources.security_groups}
    alb, instances = by_name.get(f"{view.name}-alb"), by_name.get(f"{view.name}-instances")
    if alb is None or instances is None:
        groups = f"{view.name}-alb / {view.name}-instances"
        return [f"the security groups {groups} do not exist yet - {APPLY_HINT}"]
    problems = []
    if not any(_http_from_anywhere(rule) for rule in alb.rules):
        problems.append(f"{alb.name} does not accept HTTP (tcp 80) from 0.0.0.0/0")
    if view.step < 6 and not any(_http_from_anywhere(rule) for rule in instances.rules):
        problems.append(f"{instances.name} should still accept HTTP from anywhere until step 6")
    for inst in view.resources.instances:
        if instances.name not in inst.security_groups:
            problems.append(f"{inst.name} ({inst.id}) is not in {instances.name} - {APPLY_HINT}")
    return problems


def _http_from_anywhere(rule: str) -> bool:
    return rule.startswith("in") and "tcp 80" in rule and rule.endswith("from 0.0.0.0/0")


def _target_group(view: LabView) -> list[str]:
    tg = next((t for t in view.resources.target_groups if t.name == f"{view.name}-web"), None)
    if tg is None:
        return [f"target group {view.name}-web does not exist yet - {APPLY_HINT}"]
    if len(tg.targets) != 2:
        return [f"target group {tg.name} has {len(tg.targets)} targets, expected web-a and web-b"]
    return []


def _traffic(view: LabView) -> Traffic:
    # _alb_answers runs first from step 3 on and stops the checks when there is no data plane.
    assert view.traffic is not None
    return view.traffic


def _alb_answers(view: LabView) -> list[str]:
    if view.traffic is None:
        return [f"there is no load balancer {view.name}-alb yet - {APPLY_HINT}"]
    answer = view.traffic.request("/")
    if answer.status != 200 or not answer.server.startswith("web-"):
        return [f"GET / through the ALB answered {_who(answer)}, expected 200 from web-a/b"]
    return []


def _who(answer: Answer) -> str:
    if not answer.status:
        return "nothing (no answer)"
    return f"{answer.status} from {answer.where or 'the ALB itself'}"


def _in_turn(traffic: Traffic, path: str, expected: set[str]) -> list[str]:
    """Two requests per expected answerer, and each one answered."""
    answers = traffic.requests(path, 2 * len(expected))
    seen = {a.where for a in answers if a.status == 200}
    if seen != expected:
        got = ", ".join(sorted({_who(a) for a in answers}))
        wanted = ", ".join(sorted(expected))
        return [f"GET {path} was answered by {got}; expected {wanted} in turn - {APPLY_HINT}"]
    return []


def _both_answer(view: LabView) -> list[str]:
    traffic = _traffic(view)
    answers = traffic.requests("/", 4)
    problems = []
    servers = {a.server for a in answers if a.status == 200}
    if servers != {"web-a", "web-b"}:
        problems.append(f"4 requests were answered by {sorted(servers)}, expected web-a and web-b in turn")
    if any(traffic.client_ip not in a.xff for a in answers if a.status == 200):
        problems.append(f"an instance did not see the client {traffic.client_ip} in X-Forwarded-For")
    return problems


def _all_healthy(view: LabView) -> list[str]:
    traffic = _traffic(view)
    stack = traffic.stack
    unhealthy = {
        traffic.names[target_id]: state
        for (_tg, target_id), state in traffic.target_states().items()
        if state != "healthy" and target_id in stack.instances
    }
    hint = "bring it back with `alblab lab heal {}`"
    return [f"{name} is {state} - {hint.format(name)}" for name, state in sorted(unhealthy.items())]


def _hardened(view: LabView) -> list[str]:
    traffic = _traffic(view)
    return [
        f"direct access to {traffic.names.get(iid, iid)} ({iid}) is still open - "
        "did you apply the SG change? (alblab lab apply)"
        for iid, (measured, verdict) in traffic.direct_reach().items()
        if measured or verdict.allowed
    ]


def _fixed_response(view: LabView) -> list[str]:
    answer = _traffic(view).request("/admin")
    if answer.status != 403 or "Access denied" not in answer.body:
        return [f"GET /admin answered {_who(answer)}, expected the ALB's 403 fixed response - {APPLY_HINT}"]
    return []


def _path_routing(view: LabView) -> list[str]:
    traffic = _traffic(view)
    mobile = _in_turn(traffic, "/mobile", {"web-a:80", "web-b:80"})
    return mobile + _in_turn(traffic, "/desktop", {f"{ONPREM}:80"})


def _apps(view: LabView) -> list[str]:
    traffic = _traffic(view)
    return _in_turn(traffic, "/shop", {"web-a:8080", "web-b:8080"}) + _in_turn(
        traffic, "/blog", {"web-a:8081", "web-b:8081"}
    )


Check = Callable[[LabView], list[str]]
# (first step, last step, check): a check runs while first <= current step <= last.
CHECKS: tuple[tuple[int, int, Check], ...] = (
    (1, 99, _security_groups),
    (2, 99, _target_group),
    (3, 99, _alb_answers),
    (4, 4, _both_answer),
    (5, 99, _all_healthy),
    (6, 99, _hardened),
    (7, 99, _fixed_response),
    (8, 99, _path_routing),
    (9, 99, _apps),
)


def run(view: LabView) -> list[str]:
    problems: list[str] = []
    for first, last, check in CHECKS:
        if first <= view.step <= last:
            problems.extend(check(view))
            if problems:
                # Later checks build on earlier ones: report the first broken layer only.
                break
    return problems
