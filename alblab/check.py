"""``alblab check DIR``: one command that gives CI a pass/fail with reasons for any ALB configuration.

apply against a private emulator → second plan clean → verdicts from the API state → traffic through the
data plane (when it can run here) → destroy → nothing left. A table on the terminal, exit 0 only when
every check holds; JUnit XML and JSON with one entry per check. Everything it starts lives in a temporary
state directory that it removes itself, also after a failure or Ctrl-C.
"""

from __future__ import annotations

import argparse
import json
import shutil
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from xml.etree import ElementTree

from alblab import present, records, verify
from alblab.basesource import base_of
from alblab.change import ChangeReport, apply_change
from alblab.errors import AlblabError, UsageError
from alblab.session import Session, StackHandle, new_prefix
from alblab.sources import check_var_files, parse_var, resolve_source
from alblab.state import leftover
from alblab.terraform import TerraformError
from alblab.verify import Result

Say = Callable[[str], None]
MARK = {"pass": "PASS", "fail": "FAIL", "skip": "skip"}


def run_check(args: argparse.Namespace, say: Say) -> int:
    # Validated before anything starts: a typo costs a message, not an emulator.
    source = resolve_source(args.source)
    variables = dict(parse_var(v) for v in args.var or [])
    var_files = [str(p) for p in check_var_files(args.var_file or [])]
    if args.requests < 2:
        raise UsageError("--requests must be at least 2")
    for out in (args.junit_xml, args.json):
        if out and not Path(out).expanduser().resolve().parent.is_dir():
            raise UsageError(f"{out}: its directory does not exist")
    base = base_of(args.base, source) if getattr(args, "base", None) else None
    traffic_problem = None
    if args.no_dataplane:
        traffic_problem = "--no-dataplane"
    elif args.aws == "real":
        traffic_problem = "the data plane emulates AWS; not run with --aws real"
    else:
        from alblab.dataplane import availability

        traffic_problem = availability()

    home = Path(tempfile.mkdtemp(prefix="alblab-check-"))
    try:
        # Below the work copies: a check that cannot clean up leaves it where 'alblab down' removes it.
        first = base.checkout(home / "work" / "base", env=records.mark(home)) if base else source
    except BaseException:
        shutil.rmtree(home, ignore_errors=True)
        raise
    session = Session(home, aws=args.aws, progress=lambda m: say(m))
    results: list[Result] = []
    change: ChangeReport | None = None
    t0 = time.monotonic()
    try:
        handle = session.add_stack(
            "check",
            first,
            variables=variables,
            var_files=var_files,
            lb=args.lb or "",
            prefix=new_prefix("c"),
        )
        if base is None:
            run_all(handle, results, args.requests, traffic_problem, say)
        else:
            change = run_change_all(handle, source, base.label, results, args.requests, traffic_problem, say)
    except known_errors() as exc:
        # A check that could not run is a failed check, reported like the others (and in the files).
        detail = getattr(exc, "detail", "")
        results.append(Result("error", "fail", f"{exc.args[0] if exc.args else exc}\n{detail}".strip()))
    finally:
        # Whatever happened (a failed check, an error, Ctrl-C): nothing of this run may stay behind.
        session.interrupt(timeout=60)
        report = session.down()
        for problem in report.problems:
            results.append(Result("clean up", "fail", problem))
        shutil.rmtree(home, ignore_errors=True)
    return finish(args, str(source), results, time.monotonic() - t0, say, change)


def known_errors() -> tuple[type[Exception], ...]:
    from alblab.dataplane import DataPlaneError

    return (AlblabError, DataPlaneError)


def stepper(results: list[Result], say: Say) -> Callable[[str, Callable[[], Result]], Result]:
    def step(name: str, fn: Callable[[], Result]) -> Result:
        result = verify.timed(name, fn)
        results.append(result)
        say(f"{MARK[result.status]} {name}")
        return result

    return step


def run_all(
    handle: StackHandle, results: list[Result], requests: int, traffic_problem: str | None, say: Say
) -> None:
    step = stepper(results, say)
    if step("apply", lambda: _apply(handle)).status == "fail":
        step("destroy", lambda: _destroy(handle, []))
        return
    after_apply(handle, results, requests, traffic_problem, say, replan=True)


def run_change_all(
    handle: StackHandle,
    source: Path,
    base: str,
    results: list[Result],
    requests: int,
    traffic_problem: str | None,
    say: Say,
) -> ChangeReport | None:
    """``--base``: apply the base, then the change over the same state (see alblab.change), then the plain
    checks of the state the change left."""
    step = stepper(results, say)
    applied = step("base applies", lambda: _apply(handle, "base applies"))
    if applied.status == "fail":
        applied.detail = f"the base itself does not apply ({base}): {applied.detail}"
        step("destroy", lambda: _destroy(handle, []))
        return None
    report = apply_change(handle, source, base_label=base, plane_problem=traffic_problem, say=say)
    for result in report.results():
        results.append(result)
        say(f"{MARK[result.status]} {result.name}")
    after_apply(handle, results, requests, traffic_problem, say, replan=report.applied)
    return report


def after_apply(
    handle: StackHandle,
    results: list[Result],
    requests: int,
    traffic_problem: str | None,
    say: Say,
    replan: bool = False,
) -> None:
    """Second plan (with ``replan``), verdicts, traffic and destroy of what the apply left. The second plan
    is Terraform's and the provider's CPU and the rest mostly ours and the data plane's: they run side by
    side, and the plan's result is listed first, where it belongs."""
    at = len(results)
    beside = ThreadPoolExecutor(max_workers=1, thread_name_prefix="alblab-second-plan")
    second = beside.submit(verify.timed, "second plan is clean", lambda: _replan(handle)) if replan else None
    try:
        _verdicts_and_traffic(handle, results, requests, traffic_problem, say)
    except Exception:
        # The plan ends first: the clean-up's destroy must not run beside a Terraform of this check.
        beside.shutdown(wait=True)
        raise
    except BaseException:
        # Ctrl-C: the caller stops the running plan (session.interrupt) and cleans up.
        beside.shutdown(wait=False, cancel_futures=True)
        raise
    beside.shutdown(wait=True)
    if second is not None:
        result = second.result()
        results.insert(at, result)
        say(f"{MARK[result.status]} {result.name}")
    resources = [(r["address"], r["type"], r["values"]) for r in handle.resources()]
    stepper(results, say)("destroy", lambda: _destroy(handle, resources))


def _verdicts_and_traffic(
    handle: StackHandle, results: list[Result], requests: int, traffic_problem: str | None, say: Say
) -> None:
    stack = handle.read()
    for result in verify.verdicts(stack):
        results.append(result)
        say(f"{MARK[result.status]} {result.name}")
    if traffic_problem:
        results.append(Result("traffic", "skip", f"data plane not run: {traffic_problem}"))
    else:
        existed = handle.has_plane()
        say(
            "data plane: "
            + (
                "the one that followed the change"
                if existed
                else "building it (namespaces, nftables, HAProxy)"
            )
        )
        plane = handle.plane(stack)
        try:
            if existed:
                plane.converge(stack)
            plane.wait_all_healthy()
            for result in verify.traffic(plane, stack, requests):
                results.append(result)
                say(f"{MARK[result.status]} {result.name}")
        finally:
            handle.teardown_plane()


def _apply(handle: StackHandle, name: str = "apply") -> Result:
    try:
        handle.apply()
    except AlblabError as exc:
        # One finding per refused resource (address, file and line, AWS's code and message), as an apply
        # against AWS reports them; Terraform's whole text stays in the detail.
        failures = exc.failures() if isinstance(exc, TerraformError) else []
        return Result(name, "fail", f"{exc.args[0]}\n{getattr(exc, 'detail', '')}".strip(), lines=failures)
    lb = handle.lb
    return Result(name, "pass", f"{lb.address} ({lb.name}) applied")


def _replan(handle: StackHandle) -> Result:
    rc = handle.replan_exitcode()
    if rc == 0:
        return Result("second plan is clean", "pass", "terraform plan shows no changes")
    changes = handle.plan_changes()
    return Result(
        "second plan is clean", "fail", f"a second plan would change: {', '.join(changes)}", lines=changes
    )


def _destroy(handle: StackHandle, resources: list[tuple[str, str, dict]]) -> Result:  # type: ignore[type-arg]
    """Destroy without reading every resource back first (the state is Terraform's own from this check), and
    look each resource up in the API the moment Terraform reports it gone, while the destroy still waits for
    others (an instance takes the provider 10 s): the leak check ends with the destroy."""
    if not handle.has_state():
        # The apply failed before it created anything (the emulator did not start, the plan failed).
        return Result("destroy", "pass", "nothing to destroy: the state holds no resource")
    recorded = {address: (kind, values) for address, kind, values in resources}
    clients = handle.clients()
    lookups = ThreadPoolExecutor(max_workers=4, thread_name_prefix="alblab-leak-check")
    looked: dict[str, Future[str | None]] = {}

    def gone(event: dict) -> None:  # type: ignore[type-arg]
        hook = event.get("hook") or {}
        address = str((hook.get("resource") or {}).get("addr", ""))
        if event.get("type") == "apply_complete" and hook.get("action") == "delete" and address in recorded:
            looked[address] = lookups.submit(leftover, clients, address, *recorded[address])

    try:
        handle.destroy(refresh=False, on_event=gone)
    except AlblabError as exc:
        lookups.shutdown(wait=True, cancel_futures=True)
        return Result("destroy", "fail", f"{exc.args[0]}\n{getattr(exc, 'detail', '')}".strip())
    except BaseException:
        lookups.shutdown(wait=False, cancel_futures=True)
        raise
    for address in recorded.keys() - looked.keys():  # no event seen for it: looked up now
        looked[address] = lookups.submit(leftover, clients, address, *recorded[address])
    lookups.shutdown(wait=True)
    left = sorted(line for future in looked.values() if (line := future.result()) is not None)
    if left:
        return Result("destroy", "fail", f"still in the API after destroy: {', '.join(left)}", lines=left)
    return Result("destroy", "pass", f"destroyed; none of the {len(resources)} resources is left")


def finish(
    args: argparse.Namespace,
    source: str,
    results: list[Result],
    seconds: float,
    say: Say,
    change: ChangeReport | None = None,
) -> int:
    failed = [r for r in results if r.status == "fail"]
    rows = [["check", "result", "seconds", "detail"]]
    for r in results:
        rows.append([r.name, MARK[r.status], f"{r.seconds:.1f}", summary(r)])
    print()
    print(present.table(rows))
    if change is not None and change.text():
        print()
        print(change.text())
    for r in failed:
        if r.lines or "\n" in r.detail:
            print(f"\n{r.name}:")
            for line in r.lines or r.detail.splitlines():
                print(f"  {line}")
    verdict = "FAILED" if failed else "PASSED"
    print(f"\n{verdict}: {len(results) - len(failed)} of {len(results)} checks hold ({seconds:.0f} s)")
    if args.json:
        data = to_json(source, results, seconds)
        if change is not None:
            data["change"] = change.to_json()
        Path(args.json).write_text(json.dumps(data, indent=1) + "\n")
        say(f"wrote {args.json}")
    if args.junit_xml:
        Path(args.junit_xml).write_text(to_junit(source, results, seconds))
        say(f"wrote {args.junit_xml}")
    return 1 if failed else 0


def summary(r: Result, width: int = 80) -> str:
    """One line for the table: the first finding (or the detail), cut to ``width``."""
    first = r.lines[0] if r.lines else (r.detail.splitlines()[0] if r.detail else "")
    more = f" (+{len(r.lines) - 1} more)" if len(r.lines) > 1 else ""
    if len(first) + len(more) > width:
        first = first[: width - len(more) - 1] + "…"
    return first + more


def to_json(source: str, results: list[Result], seconds: float) -> dict:  # type: ignore[type-arg]
    return {
        "source": source,
        "passed": all(r.ok for r in results),
        "seconds": round(seconds, 1),
        "checks": [
            {
                "name": r.name,
                "status": r.status,
                "detail": r.detail,
                "findings": r.lines,
                "seconds": r.seconds,
            }
            for r in results
        ],
    }


def to_junit(source: str, results: list[Result], seconds: float) -> str:
    suite = ElementTree.Element(
        "testsuite",
        name=f"alblab check {source}",
        tests=str(len(results)),
        failures=str(sum(r.status == "fail" for r in results)),
        skipped=str(sum(r.status == "skip" for r in results)),
        time=f"{seconds:.1f}",
    )
    for r in results:
        case = ElementTree.SubElement(
            suite, "testcase", classname="alblab.check", name=r.name, time=f"{r.seconds}"
        )
        if r.status == "fail":
            failure = ElementTree.SubElement(
                case, "failure", message=r.detail.splitlines()[0] if r.detail else ""
            )
            failure.text = "\n".join(r.lines) or r.detail
        elif r.status == "skip":
            ElementTree.SubElement(case, "skipped", message=r.detail)
        else:
            ElementTree.SubElement(case, "system-out").text = r.detail
    suites = ElementTree.Element("testsuites")
    suites.append(suite)
    return ElementTree.tostring(suites, encoding="unicode", xml_declaration=True) + "\n"
