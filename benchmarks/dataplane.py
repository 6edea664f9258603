"""Data-plane benchmark on the basic example, all figures from one run.

    .venv/bin/python benchmarks/dataplane.py [--duration 5]     (root, or rootless where user namespaces work)

Applies examples/basic against a fresh emulator, then measures (bounded: every load is `--duration` s):
throughput and p50/p99 latency through the ALB vs. directly to one backend at 2 and 20 connections, with the
Python stand-in and with nginx; failed requests while a backend dies under steady load, as ALB answers
(no retry: 502s until the health checks take it out) and with the retry option; apply → data plane
converged (an SG opened and closed by Terraform); `alblab up` time without the Terraform apply.
"""

from __future__ import annotations

import argparse
import re
import secrets
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from alblab.dataplane import DataPlane, DataPlaneError, availability
from alblab.emulator import Emulator
from alblab.state import aws_clients, read_stack
from alblab.workspace import Workspace

REPO = Path(__file__).resolve().parent.parent
OPEN_SG = REPO / "tests" / "fixtures" / "open-sg"
_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def wrk(plane: DataPlane, where: str, url: str, conns: int, duration: float) -> dict[str, float]:
    """wrk from the client namespace (``where="client"``) or from ALB node ``where``; bounded in time."""
    seconds = max(1, int(duration))  # wrk takes whole seconds only
    argv = ["wrk", f"-t{min(conns, 2)}", f"-c{conns}", f"-d{seconds}s", "--latency", "--timeout", "5s", url]
    if where == "client":
        proc = plane.client_exec(argv, timeout=duration + 30)
    else:
        proc = plane.node_exec(where, argv, timeout=duration + 30)
    if proc.returncode != 0:
        raise DataPlaneError(f"wrk failed ({proc.returncode}): {proc.stderr.strip()}")
    out = proc.stdout
    result = {"rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))}  # type: ignore[union-attr]
    for pct in ("50", "99"):
        m = re.search(rf"^\s+{pct}%\s+([\d.]+)(us|ms|s)\s*$", out, re.MULTILINE)
        result[f"p{pct}_ms"] = float(m.group(1)) * _UNITS[m.group(2)] if m else float("nan")
    non2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    total = re.search(r"(\d+) requests in", out)
    result["requests"] = float(total.group(1)) if total else 0.0
    result["failed"] = float(int(non2xx.group(1)) if non2xx else 0) + float(
        sum(int(g) for g in errors.groups()) if errors else 0
    )
    return result


def fmt(r: dict[str, float]) -> str:
    return f"{r['rps']:>7.0f} req/s p50 {r['p50_ms']:6.2f} ms p99 {r['p99_ms']:7.2f} ms"


def throughput(plane: DataPlane, label: str, duration: float) -> list[str]:
    node = plane.alb_nodes[0].name
    instance = first_instance(plane)
    alb_url, direct_url = plane.url("/"), f"http://{plane.targets[instance].ip}/"
    rows = []
    for conns in (2, 20):
        via = wrk(plane, "client", alb_url, conns, duration)
        # "Directly": from the ALB node, the only place the target SG lets a client in from.
        direct = wrk(plane, node, direct_url, conns, duration)
        rows.append(
            f"{label:<8} c={conns:<3} ALB {fmt(via)} | direct {fmt(direct)}"
            f" | ALB/direct {via['rps'] / direct['rps']:.2f}"
        )
        print(rows[-1], flush=True)
    return rows


def first_instance(plane: DataPlane) -> str:
    return sorted(o for o, t in plane.targets.items() if t.role == "instance")[0]


def failover(plane: DataPlane, duration: float) -> str:
    victim = first_instance(plane)
    plane.wait_all_healthy(30)
    timer = threading.Timer(duration / 3, plane.fail, args=(victim, "dead"))
    timer.start()
    try:
        res = wrk(plane, "client", plane.url("/"), 2, duration)
    finally:
        timer.cancel()
        plane.heal(victim)
    mode = "retry on another target" if plane.retry_failed_requests else "no retry, as ALB"
    hc = plane.stack.target_groups[next(iter(plane.stack.target_groups))].health_check
    line = (
        f"backend {victim} dies at {duration / 3:.1f} s of {duration:.0f} s steady load (2 conns), {mode}, "
        f"health check every {hc.interval} s, out after {hc.unhealthy_threshold} failures: "
        f"{res['failed']:.0f} failed of {res['requests']:.0f} requests"
    )
    print(line, flush=True)
    return line


def convergence(plane: DataPlane, endpoint: str, work: Path, name: str, target_sg: str) -> list[str]:
    clients = aws_clients(endpoint)
    instance = first_instance(plane)
    ws = Workspace.prepare(
        OPEN_SG, f"{name}-open", work, endpoint, extra_vars={"security_group_id": target_sg}
    )
    ws.runner.init()
    lines = []
    try:
        ws.runner.apply()
        t0 = time.monotonic()
        stack = read_stack(clients, plane.stack.load_balancer.name)
        t_read = time.monotonic() - t0
        plane.converge(stack)
        lines.append(
            f"apply -> converged (SG opened): {time.monotonic() - t0:.3f} s (read_stack {t_read:.3f} s); "
            f"direct access now {plane.probe(instance)} (goal <= 1 s)"
        )
    finally:
        ws.runner.destroy()
    t0 = time.monotonic()
    plane.converge(read_stack(clients, plane.stack.load_balancer.name))
    lines.append(
        f"destroy -> converged (SG closed): {time.monotonic() - t0:.3f} s; "
        f"direct access now {plane.probe(instance)}"
    )
    for line in lines:
        print(line, flush=True)
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--duration", type=float, default=5.0, help="seconds per load run (bounded)")
    args = parser.parse_args()
    problem = availability()
    if problem:
        sys.exit(f"benchmark: {problem}")
    work = Path(tempfile.mkdtemp(prefix="alblab-bench-"))
    name = f"b{secrets.token_hex(2)}-basic"
    report: list[str] = []
    t0 = time.monotonic()
    emulator = Emulator(state_dir=work / "emulator").start()
    t_emulator = time.monotonic() - t0
    ws = Workspace.prepare("basic", name, work, emulator.endpoint)
    try:
        print("applying examples/basic (the aws provider waits ~60 s for the ALB) ...", flush=True)
        t0 = time.monotonic()
        ws.runner.init()
        ws.runner.apply()
        t_apply = time.monotonic() - t0
        summary = ws.runner.outputs()["summary"]
        for kind in ("standin", "nginx"):
            t0 = time.monotonic()
            stack = read_stack(aws_clients(emulator.endpoint), str(summary["alb_name"]))
            t_read = time.monotonic() - t0
            plane = DataPlane(stack, work / f"plane-{kind}", connect_timeout_s=1.0, backend_kind=kind)
            t1 = time.monotonic()
            plane.up()
            t_up = time.monotonic() - t1
            try:
                if kind == "standin":
                    report.append(
                        f"alblab up without terraform ({plane.mode}): emulator start {t_emulator:.2f} s"
                        f" + read_stack {t_read:.2f} s"
                        f" + data plane up {t_up:.2f} s = {t_emulator + t_read + t_up:.2f} s"
                        f" (terraform init+apply took {t_apply:.0f} s)"
                    )
                    print(report[-1], flush=True)
                report += throughput(plane, kind, args.duration)
                if kind == "standin":
                    report.append(failover(plane, max(args.duration, 6.0)))
                    retrying = DataPlane(
                        stack, work / "plane-retry", connect_timeout_s=1.0, retry_failed_requests=True
                    )
                    try:
                        report.append(failover(retrying.up(), max(args.duration, 6.0)))
                    finally:
                        retrying.down()
                    report += convergence(
                        plane, emulator.endpoint, work, name, summary["security_group_ids"]["targets"]
                    )
            finally:
                plane.down()
    finally:
        try:
            ws.runner.destroy()
        finally:
            emulator.stop()
            shutil.rmtree(work, ignore_errors=True)
    print("\n=== data plane benchmark (2 shared cores; other work may run at the same time) ===")
    print("\n".join(report))
    subprocess.run(["uptime"], check=False)


if __name__ == "__main__":
    main()
