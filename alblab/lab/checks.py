"""``alblab lab check``: is the lab where the current step expects it? Each problem comes with a hint.

Checks are cumulative (step 7 still expects step 6's hardening) except where a later step changes the
expectation on purpose: the instances are open to anyone in steps 1-5 and only to the ALB from step 6.
Every check reads the API (what Terraform really did) or the data plane (what traffic really does).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from alblab.lab import observe
from alblab.lab.resources import LabResources, read_resources

if TYPE_CHECKING:
    from alblab.lab.engine import LabEngine

APPLY_HINT = "did you apply the step? (alblab lab apply)"


def _security_groups(engine: LabEngine, res: LabResources, step: int) -> list[str]:
    by_name = {sg.name: sg for sg in res.security_groups}
    alb, instances = by_name.get(f"{engine.name}-alb"), by_name.get(f"{engine.name}-instances")
    if alb is None or instances is None:
        return [
            f"the security groups {engine.name}-alb / {engine.name}-instances do not exist yet - {APPLY_HINT}"
        ]
    problems = []
    if not any(
        rule.startswith("in") and rule.endswith("from 0.0.0.0/0") and "tcp 80" in rule for rule in alb.rules
    ):
        problems.append(f"{alb.name} does not accept HTTP (tcp 80) from 0.0.0.0/0")
    open_rule = any(
        r.startswith("in") and "tcp 80" in r and r.endswith("from 0.0.0.0/0") for r in instances.rules
    )
    if step < 6 and not open_rule:
        problems.append(f"{instances.name} should still accept HTTP from anywhere until step 6")
    for inst in res.instances:
        if instances.name not in inst.security_groups:
            problems.append(f"{inst.name} ({inst.id}) is not in {instances.name} - {APPLY_HINT}")
    return problems


def _target_group(engine: LabEngine, res: LabResources, _step: int) -> list[str]:
    tg = next((t for t in res.target_groups if t.name == f"{engine.name}-web"), None)
    if tg is None:
        return [f"target group {engine.name}-web does not exist yet - {APPLY_HINT}"]
    if len(tg.targets) != 2:
        return [f"target group {tg.name} has {len(tg.targets)} targets, expected web-a and web-b"]
    return []


def _alb_answers(engine: LabEngine, _res: LabResources, _step: int) -> list[str]:
    if engine.plane is None or engine._stack is None:
        return [f"there is no load balancer {engine.name}-alb yet - {APPLY_HINT}"]
    answer = observe.request(engine.plane, engine._stack, "/", engine.name)
    if answer.status != 200 or not answer.server.startswith("web-"):
        return [
            f"GET / through the ALB answered {answer.status} {answer.body[:60]!r}, expected 200 from web-a/b"
        ]
    return []


def _both_answer(engine: LabEngine, _res: LabResources, _step: int) -> list[str]:
    assert engine.plane is not None and engine._stack is not None
    answers = [observe.request(engine.plane, engine._stack, "/", engine.name) for _ in range(4)]
    servers = {a.server for a in answers if a.status == 200}
    problems = []
    if servers != {"web-a", "web-b"}:
        problems.append(f"4 requests were answered by {sorted(servers)}, expected web-a and web-b in turn")
    client = observe.client_ip(engine.plane)
    if any(client not in a.xff for a in answers if a.status == 200):
        problems.append(f"an instance did not see the client {client} in X-Forwarded-For")
    return problems


def _all_healthy(engine: LabEngine, _res: LabResources, _step: int) -> list[str]:
    assert engine.plane is not None and engine._stack is not None
    names = observe.short_names(engine._stack, engine.name)
    return [
        f"{names[target_id]} is {state} - bring it back with `alblab lab heal {names[target_id]}`"
        for (_tg, target_id), state in sorted(observe.target_states(engine.plane, engine._stack).items())
        if state != "healthy" and target_id in engine._stack.instances
    ]


def _hardened(engine: LabEngine, _res: LabResources, _step: int) -> list[str]:
    assert engine.plane is not None and engine._stack is not None
    names = observe.short_names(engine._stack, engine.name)
    problems = []
    for instance_id, (measured, verdict) in observe.direct_reach(engine.plane, engine._stack).items():
        if measured or verdict.allowed:
            problems.append(
                f"direct access to {names.get(instance_id, instance_id)} ({instance_id}) is still open - "
                "did you apply the SG change? (alblab lab apply)"
            )
    return problems


def _fixed_response(engine: LabEngine, _res: LabResources, _step: int) -> list[str]:
    assert engine.plane is not None and engine._stack is not None
    answer = observe.request(engine.plane, engine._stack, "/admin", engine.name)
    if answer.status != 403 or "Access denied" not in answer.body:
        who = answer.server or "the ALB"
        return [
            f"GET /admin answered {answer.status} from {who}, expected the 403 fixed response - {APPLY_HINT}"
        ]
    return []


def _path_routing(engine: LabEngine, _res: LabResources, _step: int) -> list[str]:
    assert engine.plane is not None and engine._stack is not None
    problems = []
    for path, expected in (("/mobile", "on-prem"), ("/desktop", "web-b")):
        answer = observe.request(engine.plane, engine._stack, path, engine.name)
        if answer.status != 200 or answer.server != expected:
            got = answer.server or f"status {answer.status}"
            problems.append(f"GET {path} was answered by {got}, expected {expected} - {APPLY_HINT}")
    return problems


Check = Callable[["LabEngine", LabResources, int], list[str]]
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
)


def run(engine: LabEngine, step: int) -> list[str]:
    res = read_resources(engine.clients.ec2, engine.clients.elbv2, engine.name)
    problems: list[str] = []
    for first, last, check in CHECKS:
        if first <= step <= last:
            problems.extend(check(engine, res, step))
            if problems:
                # Later checks build on earlier ones: report the first broken layer only.
                break
    return problems
