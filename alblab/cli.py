"""``alblab``: bring an example up against the embedded emulator with a working data plane, and poke it.

    alblab up EXAMPLE_OR_DIR      emulator + terraform apply + data plane (again: re-apply + converge)
    alblab apply                  re-apply the same configuration, then converge the data plane
    alblab status                 listeners, rules, targets with live health
    alblab curl PATH [--method M] [--host H] [--header 'K: V']... [--port P]
    alblab reach INSTANCE [PORT]  direct attempt from the internet: blocked / open
    alblab fail INSTANCE [--mode unhealthy|dead|slow:MS] / alblab heal INSTANCE
    alblab down                   destroy the stack, tear the data plane down, stop the emulator

State lives in $ALBLAB_HOME (default ~/.alblab), so every command runs in a new process.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import shutil
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TypeVar

from alblab import examples as ex
from alblab.aws_env import fake_aws_env
from alblab.dataplane import netns
from alblab.dataplane.plane import DataPlane, DataPlaneError, teardown_saved
from alblab.dataplane.procs import alive
from alblab.emulator import Emulator
from alblab.lab import cli as lab_cli
from alblab.model import Action, Condition, Stack
from alblab.state import aws_clients, read_stack
from alblab.terraform import TerraformRunner
from alblab.tfconfig import cli_config_env
from alblab.workspace import Workspace

T = TypeVar("T")


def home() -> Path:
    return Path(os.environ.get("ALBLAB_HOME", "~/.alblab")).expanduser().resolve()


@dataclass
class LabState:
    source: str
    name: str
    workspace: str
    emulator_pid: int
    emulator_port: int
    alb_name: str = ""

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.emulator_port}"

    @classmethod
    def load(cls) -> LabState | None:
        path = home() / "state.json"
        return cls(**json.loads(path.read_text())) if path.exists() else None

    def save(self) -> None:
        home().mkdir(parents=True, exist_ok=True)
        (home() / "state.json").write_text(json.dumps(asdict(self), indent=1) + "\n")


def say(message: str) -> None:
    print(f"alblab: {message}", flush=True)


@contextmanager
def step(label: str, hint: str = "") -> Iterator[None]:
    """Prints the step, then a heartbeat every 10 s (Terraform's provider waiters are silent)."""
    say(f"{label}{' (' + hint + ')' if hint else ''} ...")
    t0 = time.monotonic()
    done = threading.Event()

    def beat() -> None:
        while not done.wait(10):
            say(f"  {label}: {time.monotonic() - t0:.0f} s")

    threading.Thread(target=beat, daemon=True).start()
    try:
        yield
    finally:
        done.set()
    say(f"  {label}: done in {time.monotonic() - t0:.1f} s")


def timed(label: str, fn: Callable[[], T]) -> T:
    with step(label):
        return fn()


# --- emulator --------------------------------------------------------------------------------------


def emulator_alive(state: LabState) -> bool:
    if not alive(state.emulator_pid):
        return False
    cmdline = Path(f"/proc/{state.emulator_pid}/cmdline").read_bytes().split(b"\0")
    return b"moto.server" in cmdline and str(state.emulator_port).encode() in cmdline


def stop_emulator(state: LabState) -> None:
    if not emulator_alive(state):
        return
    os.kill(state.emulator_pid, signal.SIGTERM)
    deadline = time.monotonic() + 10
    while alive(state.emulator_pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    if emulator_alive(state):
        os.kill(state.emulator_pid, signal.SIGKILL)


# --- commands ----------------------------------------------------------------------------------------


def plane_dir() -> Path:
    return home() / "plane"


def require_privileges() -> None:
    problem = netns.privilege_problem()
    if problem:
        raise SystemExit(f"alblab: {problem}")


def refresh_workspace(state: LabState) -> Workspace:
    """A fresh copy of the source that keeps the Terraform state and the generated keys of the last run."""
    ws_dir = Path(state.workspace)
    keep = home() / "keep"
    shutil.rmtree(keep, ignore_errors=True)
    keep.mkdir(parents=True)
    for item in ("terraform.tfstate", "certs"):
        if (ws_dir / item).exists():
            shutil.move(str(ws_dir / item), str(keep / item))
    ws = Workspace.prepare(state.source, state.name, ws_dir.parent, state.endpoint)
    if (keep / "certs").exists():
        shutil.rmtree(ws.key_dir, ignore_errors=True)  # same file names: tfvars stay valid
        shutil.move(str(keep / "certs"), str(ws.key_dir))
    if (keep / "terraform.tfstate").exists():
        shutil.move(str(keep / "terraform.tfstate"), str(ws.dir / "terraform.tfstate"))
    return ws


def apply_and_read(state: LabState, ws: Workspace) -> Stack:
    timed("terraform init", ws.runner.init)
    with step("terraform apply", "the aws provider waits ~60 s for a new ALB"):
        ws.runner.apply()
    outputs = ws.runner.outputs()
    state.alb_name = str(outputs.get("alb_name") or state.name)
    state.save()
    return read_stack(aws_clients(state.endpoint), state.alb_name)


def cmd_up(args: argparse.Namespace) -> None:
    require_privileges()
    source = Path(args.source)
    source_key = str(source.resolve()) if source.is_dir() else args.source
    state = LabState.load()
    if state is not None and emulator_alive(state):
        if state.source != source_key:
            raise SystemExit(f"alblab: {state.source} is up; run 'alblab down' first")
        cmd_apply(args)
        return
    if state is not None:
        say("the previous emulator is gone; cleaning up its data plane")
        teardown_saved(plane_dir())
    emulator = timed("emulator (moto server)", lambda: Emulator(state_dir=home() / "emulator").start())
    example_name = source.name if source.is_dir() else args.source
    name = ex.unique_name(f"l{secrets.token_hex(2)}", example_name)
    ws = Workspace.prepare(source_key, name, home() / "work", emulator.endpoint)
    assert emulator.pid is not None
    state = LabState(source_key, name, str(ws.dir), emulator.pid, emulator.port)
    state.save()
    stack = apply_and_read(state, ws)
    t0 = time.monotonic()
    plane = DataPlane(stack, plane_dir(), key_dir=ws.key_dir, progress=lambda m: say(f"  {m}"))
    with step("data plane"):
        plane.up(persist=True)
    say(f"up in {time.monotonic() - t0:.2f} s excluding Terraform")
    say(f"ALB {stack.load_balancer.name}: {stack.load_balancer.dns_name} (resolves in the client namespace)")
    say(
        "next: alblab status | alblab curl / | alblab reach <instance> | alblab fail <instance> | alblab down"
    )


def cmd_apply(args: argparse.Namespace) -> None:
    require_privileges()
    state = loaded()
    ws = refresh_workspace(state)
    stack = apply_and_read(state, ws)
    t0 = time.monotonic()
    plane = DataPlane.attach(stack, plane_dir(), progress=lambda m: say(f"  {m}"))
    result = plane.converge(stack)
    say(f"data plane converged in {time.monotonic() - t0:.2f} s: {result}")


def loaded() -> LabState:
    state = LabState.load()
    if state is None:
        raise SystemExit("alblab: nothing is up (run 'alblab up EXAMPLE_OR_DIR')")
    if not emulator_alive(state):
        raise SystemExit("alblab: the emulator of the last 'up' is gone; run 'alblab down' then 'alblab up'")
    return state


def attached() -> DataPlane:
    require_privileges()
    state = loaded()
    stack = read_stack(aws_clients(state.endpoint), state.alb_name)
    return DataPlane.attach(stack, plane_dir())


def resolve_owner(plane: DataPlane, name: str) -> str:
    """An instance id, an example's instance key or Name tag, or an IP target's address."""
    owners = {h.owner for h in plane.topo.hosts.values() if h.role in ("instance", "iptarget")}
    if name in owners:
        return name
    for inst in plane.stack.instances.values():
        if name in (inst.name, inst.private_ip) or inst.name.endswith(f"-{name}"):
            return inst.id
    raise SystemExit(f"alblab: no instance {name!r}; known: {', '.join(sorted(owners))}")


def describe_condition(c: Condition) -> str:
    if c.field == "http-header":
        return f"header {c.header_name} in {list(c.values)}"
    if c.field == "query-string":
        return "query " + " | ".join(f"{k or '*'}={v}" for k, v in c.query_pairs)
    return f"{c.field} {list(c.values)}"


def describe_action(stack: Stack, a: Action) -> str:
    names = {tg.arn: tg.name for tg in stack.target_groups.values()}
    if a.type == "forward":
        groups = [f"{names.get(t.target_group_arn, t.target_group_arn)}:{t.weight}" for t in a.target_groups]
        sticky = f" sticky {a.stickiness_duration}s" if a.stickiness_enabled else ""
        return "forward " + (groups[0].rsplit(":", 1)[0] if len(groups) == 1 else ", ".join(groups)) + sticky
    if a.type == "fixed-response" and a.fixed_response:
        return f"fixed {a.fixed_response.status_code} {a.fixed_response.message_body[:30]!r}"
    if a.type == "redirect" and a.redirect:
        r = a.redirect
        return f"redirect {r.status_code} {r.protocol}://{r.host}:{r.port}{r.path}?{r.query}"
    return a.type


def table(rows: list[list[str]]) -> str:
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    return "\n".join(
        "  ".join(cell.ljust(w) for cell, w in zip(r, widths, strict=True)).rstrip() for r in rows
    )


def cmd_status(_args: argparse.Namespace) -> None:
    plane = attached()
    stack, lb = plane.stack, plane.stack.load_balancer
    print(f"ALB {lb.name}  {lb.dns_name}  data plane {plane.prefix}-*")
    print(table([["node", "ip", "az"], *([h.ns, h.ip, h.az] for h in plane.topo.by_role("alb"))]))
    print()
    rows = [["listener", "priority", "conditions", "action"]]
    for lst in sorted(lb.listeners, key=lambda x: x.port):
        for rule in lst.rules:
            conds = "; ".join(describe_condition(c) for c in rule.conditions)
            rows.append(
                [f"{lst.protocol}:{lst.port}", str(rule.priority), conds, describe_action(stack, rule.action)]
            )
        rows.append([f"{lst.protocol}:{lst.port}", "default", "", describe_action(stack, lst.default_action)])
    print(table(rows))
    print()
    live = plane.health()
    rows = [["target group", "target", "ip", "api health", "live health (per ALB node)"]]
    for tg in sorted(stack.target_groups.values(), key=lambda t: t.name):
        for target in tg.targets:
            port = tg.port_of(target)
            inst = stack.instances.get(target.id)
            nodes = live.get(tg.name, {}).get(f"{target.id}:{port}", {})
            words = ", ".join(f"{ns.rsplit('-', 1)[1]}={w}" for ns, w in sorted(nodes.items()))
            ip = inst.private_ip if inst else target.id
            rows.append([tg.name, f"{target.id}:{port}", ip, target.health, words])
    print(table(rows))


def cmd_curl(args: argparse.Namespace) -> None:
    plane = attached()
    try:
        reply = plane.curl(args.path, args.method, args.host, args.header or [], args.port)
    except DataPlaneError as exc:
        raise SystemExit(f"alblab: {exc}") from exc
    print(reply.status_line)
    for key, value in reply.headers:
        print(f"{key}: {value}")
    print()
    print(reply.body, end="" if reply.body.endswith("\n") else "\n")


def cmd_reach(args: argparse.Namespace) -> None:
    plane = attached()
    owner = resolve_owner(plane, args.instance)
    result = plane.probe(owner, args.port)
    host = plane.topo.by_owner(owner)
    explain = {
        "blocked": "dropped by the instance's security group (timed out)",
        "open": "the security group lets the internet in",
        "refused": "the security group let it in, but nothing listens on that port",
    }
    print(f"{result}: {plane.topo.client.ip} -> {owner} {host.ip}:{args.port} ({explain[result]})")


def cmd_fail(args: argparse.Namespace) -> None:
    plane = attached()
    owner = resolve_owner(plane, args.instance)
    plane.fail(owner, args.mode)
    say(f"{owner} is now {args.mode}; watch it with 'alblab status'")


def cmd_heal(args: argparse.Namespace) -> None:
    plane = attached()
    owner = resolve_owner(plane, args.instance)
    plane.heal(owner)
    say(f"{owner} is healthy again")


def cmd_down(_args: argparse.Namespace) -> None:
    require_privileges()
    state = LabState.load()
    prefix = teardown_saved(plane_dir())
    if prefix:
        say(f"data plane {prefix}-* removed")
    if state is None:
        say("nothing else is up")
        return
    if emulator_alive(state) and Path(state.workspace).is_dir():
        # The workspace copy holds the state: destroy it as it is, without re-preparing it.
        env = {**cli_config_env(Path(state.workspace).parent), **fake_aws_env(state.endpoint)}
        with step("terraform destroy"):
            TerraformRunner(Path(state.workspace), env).destroy()
    stop_emulator(state)
    (home() / "state.json").unlink()
    say("down")


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="alblab", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    sub = p.add_subparsers(dest="command", required=True)
    up = sub.add_parser("up", help="emulator + terraform apply + data plane")
    up.add_argument("source", metavar="EXAMPLE_OR_DIR")
    up.set_defaults(fn=cmd_up)
    sub.add_parser("apply", help="re-apply the configuration and converge").set_defaults(fn=cmd_apply)
    sub.add_parser("status", help="listeners, rules, targets with live health").set_defaults(fn=cmd_status)
    curl = sub.add_parser("curl", help="a request to the ALB's DNS name from the client namespace")
    curl.add_argument("path")
    curl.add_argument("--method", default="GET")
    curl.add_argument("--host")
    curl.add_argument("--header", action="append", metavar="'K: V'")
    curl.add_argument("--port", type=int)
    curl.set_defaults(fn=cmd_curl)
    reach = sub.add_parser("reach", help="direct attempt from the internet to an instance")
    reach.add_argument("instance")
    reach.add_argument("port", nargs="?", type=int, default=80)
    reach.set_defaults(fn=cmd_reach)
    fail = sub.add_parser("fail", help="make an instance's stand-in app fail")
    fail.add_argument("instance")
    fail.add_argument("--mode", default="unhealthy", help="unhealthy (default) | dead | slow:MS")
    fail.set_defaults(fn=cmd_fail)
    heal = sub.add_parser("heal", help="make it healthy again")
    heal.add_argument("instance")
    heal.set_defaults(fn=cmd_heal)
    sub.add_parser("down", help="destroy, tear down, stop the emulator").set_defaults(fn=cmd_down)
    # The workshop lab (alblab lab ..., alblab diagram) brings its own subcommands.
    lab_cli.register(sub)
    return p


def main(argv: list[str] | None = None) -> None:
    args = parser().parse_args(argv)
    try:
        args.fn(args)
    except KeyboardInterrupt:
        sys.exit(130)


if __name__ == "__main__":
    main()
