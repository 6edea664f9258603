"""``alblab``: apply a Terraform configuration against an embedded AWS emulator, build its data plane.

    alblab up EXAMPLE_OR_DIR [--var K=V]... [--var-file F]... [--lb ADDRESS|NAME] [--no-dataplane]
    alblab apply                  re-apply the same configuration (a fresh copy, state kept), converge
    alblab status                 listeners, rules, targets with live health (restarts a dead part)
    alblab curl PATH [--method M] [--host H] [--header 'K: V']... [--port P]
    alblab reach INSTANCE [PORT]  direct attempt from the internet: blocked / open / refused
    alblab fail INSTANCE [--mode unhealthy|dead|slow:MS] / alblab heal INSTANCE
    alblab console [--bind ADDR] [--port N]   the stack live in a browser: its map and every request
    alblab check DIR              one-shot pass/fail for CI: apply, verdicts, traffic, destroy, leak check
    alblab check DIR --base REF   the change a pull request makes: REF applied, then DIR over the same state
    alblab down                   the one way back to a clean slate, whatever state things are in

State lives in $ALBLAB_HOME (default ~/.alblab), so every command runs in a new process. Whatever fails or
is interrupted, 'alblab down' removes what is left: the stack, the data plane, the emulator, the work copies.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import textwrap
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from alblab import present, records
from alblab.console.launch import add_options as console_options
from alblab.console.launch import open_console
from alblab.errors import AlblabError, StateError, UsageError
from alblab.lab import cli as lab_cli
from alblab.session import Session, StackHandle, new_prefix
from alblab.sources import check_var_files, parse_var, resolve_source

if TYPE_CHECKING:
    from alblab.dataplane import DataPlane

STACK_KEY = "main"
DOWN_HINT = "run 'alblab down' to remove it"
FAIL_MODES = "unhealthy (default) | dead | slow:MS"


def say(message: str) -> None:
    print(f"alblab: {message}", flush=True)


class Heartbeat:
    """Progress lines for long steps: each step prints when it starts, every 10 s while it runs, and when it
    ends (Terraform's provider waiters are silent for a minute)."""

    def __init__(self) -> None:
        self._label = ""
        self._t0 = 0.0
        self._done = threading.Event()
        self._lock = threading.Lock()

    def __call__(self, label: str) -> None:
        self.finish()
        with self._lock:
            self._label, self._t0, self._done = label, time.monotonic(), threading.Event()
            done, t0 = self._done, self._t0
        say(f"{label} ...")

        def beat() -> None:
            while not done.wait(10):
                say(f"  {label}: {time.monotonic() - t0:.0f} s")

        threading.Thread(target=beat, daemon=True).start()

    def finish(self, ok: bool = True) -> None:
        with self._lock:
            if not self._label:
                return
            self._done.set()
            label, took, self._label = self._label, time.monotonic() - self._t0, ""
        say(f"  {label}: {'done in' if ok else 'stopped after'} {took:.1f} s")


@dataclass
class Context:
    """What a command opened, so the top-level handler can say what is left after a Ctrl-C or a failure."""

    aws: str = "emulator"
    debug: bool = False
    stack: str = ""
    session: Session | None = None
    heartbeat: Heartbeat = field(default_factory=Heartbeat)

    def open(self, recover: bool = False) -> Session:
        if self.session is None:
            home = records.default_home()
            self.session = Session(home, aws=self.aws, progress=self.heartbeat, recover=recover)
        return self.session


# --- helpers ------------------------------------------------------------------------------------


def stack_of(ctx: Context) -> StackHandle:
    """The stack a command is about: --stack KEY, else 'main' (alblab up), else the only one there is."""
    session = ctx.open()
    keys = list(session.record.stacks)
    if not keys:
        raise StateError("nothing is up: run 'alblab up EXAMPLE_OR_DIR'")
    if ctx.stack:
        if ctx.stack not in keys:
            raise UsageError(f"no stack {ctx.stack!r}; there are: {', '.join(keys)}")
        key = ctx.stack
    elif STACK_KEY in keys or len(keys) == 1:
        key = STACK_KEY if STACK_KEY in keys else keys[0]
    else:
        raise UsageError(f"several stacks are up; choose one with --stack: {', '.join(keys)}")
    session.require_emulator()
    return session.stack(key)


def require_dataplane() -> None:
    from alblab.dataplane import availability

    problem = availability()
    if problem:
        raise StateError(problem)


def attached(ctx: Context) -> DataPlane:
    handle = stack_of(ctx)
    if ctx.open().real_aws:
        raise StateError("the data plane emulates AWS and does not run with --aws real")
    require_dataplane()
    if not handle.has_plane():
        raise StateError(
            "this stack has no data plane (it was brought up with --no-dataplane): run 'alblab up' again"
        )
    return handle.plane(progress=say)


# --- commands -----------------------------------------------------------------------------------


def cmd_up(ctx: Context, args: argparse.Namespace) -> int:
    # Everything checkable is checked before anything is started.
    source = resolve_source(args.source)
    variables = dict(parse_var(v) for v in args.var or [])
    var_files = [str(p) for p in check_var_files(args.var_file or [])]
    dataplane = not args.no_dataplane and ctx.aws == "emulator"
    if dataplane:
        require_dataplane()
    session = ctx.open()
    with session.exclusive("up"):
        existing = session.record.stacks.get(STACK_KEY)
        if existing is not None and existing.source != str(source):
            raise StateError(
                f"{existing.source} is up; run 'alblab down' first, then 'alblab up {args.source}'"
            )
        if existing is None:
            handle = session.add_stack(
                STACK_KEY,
                source,
                variables=variables,
                var_files=var_files,
                lb=args.lb or "",
                prefix=new_prefix("l"),
            )
        else:
            handle = session.stack(STACK_KEY)
            handle.record.variables, handle.record.var_files = variables, var_files
            handle.record.lb_choice = args.lb or handle.record.lb_choice
            session.save()
        if session.endpoint is None and not session.real_aws:
            ctx.heartbeat("emulator (moto server)")
        apply_and_converge(ctx, handle, dataplane)
    lb = handle.lb
    say(f"ALB {lb.address} ({lb.name}): {lb.dns_name}")
    if dataplane:
        say("the DNS name resolves in the client namespace: try 'alblab curl /'")
    say(
        "next: alblab status | alblab curl / | alblab reach <instance> | alblab fail <instance> | alblab down"
    )
    return 0


def apply_and_converge(ctx: Context, handle: StackHandle, dataplane: bool) -> None:
    handle.apply(progress=ctx.heartbeat)
    ctx.heartbeat.finish()
    if not dataplane:
        return
    stack = handle.read()
    ctx.heartbeat("data plane")
    existed = handle.has_plane()
    plane = handle.plane(stack, progress=say)
    if existed:
        result = plane.converge(stack)
        ctx.heartbeat.finish()
        say(f"data plane converged: {', '.join(f'{k} {v:g}' for k, v in result.items())}")
    else:
        ctx.heartbeat.finish()


def cmd_apply(ctx: Context, args: argparse.Namespace) -> int:
    handle = stack_of(ctx)
    with ctx.open().exclusive("apply"):
        apply_and_converge(ctx, handle, handle.has_plane())
    return 0


def cmd_status(ctx: Context, _args: argparse.Namespace) -> int:
    handle = stack_of(ctx)
    plane = attached(ctx) if handle.has_plane() else None
    stack = plane.stack if plane is not None else handle.read()
    lb = stack.load_balancer
    print(f"ALB {handle.lb.address}  {lb.name}  {lb.dns_name}")
    if plane is not None:
        print(present.table([["node", "ip", "az"], *([n.name, n.ip, n.az] for n in plane.alb_nodes)]))
    print()
    print(present.rules_table(stack))
    print()
    print(present.targets_table(stack, plane.health() if plane is not None else None))
    return 0


def cmd_curl(ctx: Context, args: argparse.Namespace) -> int:
    plane = attached(ctx)
    reply = plane.curl(args.path, args.method, args.host, args.header or [], args.port)
    print(reply.status_line)
    for key, value in reply.headers:
        print(f"{key}: {value}")
    print()
    print(reply.body, end="" if reply.body.endswith("\n") else "\n")
    return 0


REACH_WORDS = {
    "blocked": "dropped by the instance's security group (timed out)",
    "open": "the security group lets the internet in",
    "refused": "the security group let it in, but nothing listens on that port",
}


def cmd_reach(ctx: Context, args: argparse.Namespace) -> int:
    plane = attached(ctx)
    owner = plane.resolve_owner(args.instance)
    result = plane.probe(owner, args.port)
    where = f"{plane.address_of(owner)}:{args.port}"
    print(f"{result}: {plane.client_ip} -> {owner} {where} ({REACH_WORDS[result]})")
    return 0


def cmd_fail(ctx: Context, args: argparse.Namespace) -> int:
    plane = attached(ctx)
    owner = plane.resolve_owner(args.instance)
    plane.fail(owner, args.mode)
    say(f"{owner} is now {args.mode}; watch it with 'alblab status'")
    return 0


def cmd_heal(ctx: Context, args: argparse.Namespace) -> int:
    plane = attached(ctx)
    owner = plane.resolve_owner(args.instance)
    plane.heal(owner)
    say(f"{owner} is healthy again")
    return 0


def cmd_down(ctx: Context, args: argparse.Namespace) -> int:
    session = ctx.open(recover=True)  # a damaged record is cleaned up without it
    if not session.active and not session.damaged and not session.unrecorded():
        say("nothing is up")
        return 0
    with session.exclusive("down"):
        report = session.down(destroy=not args.keep_aws)
    for line in report.done:
        say(line)
    for line in report.problems:
        say(f"NOT DONE: {line}")
    if not report.clean:
        return 1
    if [p.name for p in session.home.iterdir()] == [records.LOCK_NAME]:
        # Only our own lock file is left: leave no trace of the session at all.
        (session.home / records.LOCK_NAME).unlink()
        session.home.rmdir()
    kept = f" (the damaged record stays in {report.set_aside})" if report.set_aside else ""
    say(f"down: nothing is left{kept}")
    return 0


def cmd_console(ctx: Context, args: argparse.Namespace) -> int:
    handle = stack_of(ctx)
    return open_console(ctx.open().home, handle.key, args.bind, args.port)


def cmd_check(ctx: Context, args: argparse.Namespace) -> int:
    from alblab.check import run_check

    return run_check(args, say)


# --- parser and the one top-level handler ----------------------------------------------------------


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="alblab", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument("--debug", action="store_true", help="show the Python traceback of an unexpected error")
    p.add_argument(
        "--stack", default="", metavar="KEY", help="which stack, when several are up (e.g. kept by pytest)"
    )
    p.add_argument(
        "--aws",
        choices=("emulator", "real"),
        default=os.environ.get("ALBLAB_AWS", "emulator"),
        help="emulator (default): the embedded moto server; real: your AWS account and credentials (billed)",
    )
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")
    up = sub.add_parser("up", help="emulator + terraform apply + data plane (again: re-apply + converge)")
    up.add_argument("source", metavar="EXAMPLE_OR_DIR")
    add_input_options(up)
    up.add_argument("--no-dataplane", action="store_true", help="apply only; no namespaces, no HAProxy")
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
    reach.add_argument("port", nargs="?", type=port_number, default=80)
    reach.set_defaults(fn=cmd_reach)
    fail = sub.add_parser("fail", help="make an instance's stand-in app fail")
    fail.add_argument("instance")
    fail.add_argument("--mode", default="unhealthy", type=fail_mode, help=FAIL_MODES)
    fail.set_defaults(fn=cmd_fail)
    heal = sub.add_parser("heal", help="make it healthy again")
    heal.add_argument("instance")
    heal.set_defaults(fn=cmd_heal)
    console = sub.add_parser("console", help="the stack live in a browser: map, health, every request")
    console_options(console)
    console.set_defaults(fn=cmd_console)
    check = sub.add_parser("check", help="one-shot pass/fail of a configuration, for CI")
    check.add_argument("source", metavar="DIR")
    add_input_options(check)
    check.add_argument("--no-dataplane", action="store_true", help="skip the traffic checks")
    check.add_argument("--junit-xml", metavar="FILE", help="write one JUnit test case per check")
    check.add_argument("--json", metavar="FILE", help="write one JSON entry per check")
    check.add_argument("--requests", type=int, default=8, help="requests per alternation check (default 8)")
    check.add_argument(
        "--base",
        metavar="DIR_OR_GIT_REF",
        help="check the change from BASE to DIR: apply BASE, then DIR over the same state (a directory, or a "
        "git ref of DIR's repository)",
    )
    check.set_defaults(fn=cmd_check)
    down = sub.add_parser("down", help="destroy, tear down, stop the emulator: back to a clean slate")
    down.add_argument(
        "--keep-aws", action="store_true", help="with --aws real: leave the resources in the account"
    )
    down.set_defaults(fn=cmd_down)
    # The workshop lab (alblab lab ..., alblab diagram) brings its own subcommands.
    lab_cli.register(sub)
    return p


def add_input_options(p: argparse.ArgumentParser) -> None:
    # Also after the subcommand (`alblab check DIR --aws real`); SUPPRESS keeps the global value otherwise.
    p.add_argument("--aws", choices=("emulator", "real"), default=argparse.SUPPRESS, help="as alblab --aws")
    p.add_argument("--var", action="append", metavar="NAME=VALUE", help="a Terraform variable (repeatable)")
    p.add_argument("--var-file", action="append", metavar="FILE", help="a .tfvars file (repeatable)")
    p.add_argument("--lb", metavar="ADDRESS|NAME", help="which ALB, when the configuration has several")


def port_number(text: str) -> int:
    try:
        port = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port number") from None
    if not 1 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"port {port} is outside 1-65535")
    return port


def fail_mode(text: str) -> str:
    if text in ("unhealthy", "dead", "healthy"):
        return text
    if text.startswith("slow:") and text[5:].isdigit() and 0 < int(text[5:]) <= 600_000:
        return text
    raise argparse.ArgumentTypeError(f"{text!r}: expected {FAIL_MODES} (MS: milliseconds, 1-600000)")


def interrupted(ctx: Context) -> int:
    """Ctrl-C: say at once what is left and how to clean it, then let Terraform stop gracefully."""
    ctx.heartbeat.finish(ok=False)
    print(file=sys.stderr)
    session = ctx.session
    left = session.leftovers() if session is not None else []
    if left:
        print("alblab: interrupted. Still there:", file=sys.stderr)
        for line in left:
            print(f"  - {line}", file=sys.stderr)
        print("alblab: run 'alblab down' to remove all of it.", file=sys.stderr, flush=True)
    else:
        print("alblab: interrupted; nothing was left running.", file=sys.stderr, flush=True)
    if session is not None:
        try:
            still = session.interrupt(timeout=60)
        except (Exception, KeyboardInterrupt) as exc:  # a second Ctrl-C, or anything else: say it, still 130
            print(
                f"alblab: could not wait for Terraform to stop ({type(exc).__name__}); 'alblab down' will",
                file=sys.stderr,
            )
            still = []
        for workdir in still:
            print(f"alblab: terraform in {workdir} did not stop; 'alblab down' waits for it", file=sys.stderr)
    return 130


def report_error(ctx: Context, exc: BaseException) -> int:
    ctx.heartbeat.finish(ok=False)
    detail = getattr(exc, "detail", "")
    print(f"alblab: {exc if not detail else exc.args[0]}", file=sys.stderr)
    if detail:
        print(textwrap.indent(detail.rstrip(), "  "), file=sys.stderr)
    if ctx.session is not None and ctx.session.active and not isinstance(exc, UsageError):
        left = ctx.session.leftovers()
        if left:
            print(
                f"alblab: still up: {'; '.join(left)}. {DOWN_HINT[0].upper()}{DOWN_HINT[1:]}.",
                file=sys.stderr,
            )
    return int(getattr(exc, "exit_code", 1))


def known_errors() -> tuple[type[BaseException], ...]:
    from alblab.dataplane import DataPlaneError

    return (AlblabError, DataPlaneError)


def output_closed() -> int:
    """The reader of our output went away (``| head -1``, ``| grep -m1``): stop quietly, as Unix tools do."""
    # Whatever is still buffered for the closed pipe would raise again when Python flushes it at exit.
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    os.close(devnull)
    return 0


def main(argv: list[str] | None = None) -> None:
    try:
        args = parser().parse_args(argv)  # --help into a closed pipe too
    except BrokenPipeError:
        sys.exit(output_closed())
    ctx = Context(aws=args.aws, debug=args.debug, stack=args.stack)
    fn: Callable[..., Any] = args.fn
    try:
        rc = fn(ctx, args) if fn.__module__ == __name__ else fn(args)
    except BrokenPipeError:
        rc = output_closed()
    except KeyboardInterrupt:
        rc = interrupted(ctx)
    except known_errors() as exc:
        if args.debug:
            raise
        rc = report_error(ctx, exc)
    except Exception as exc:  # a bug: one line, and the way to see more
        if args.debug:
            raise
        ctx.heartbeat.finish()
        print(
            f"alblab: unexpected {type(exc).__name__}: {exc} (run with --debug for the traceback)",
            file=sys.stderr,
        )
        rc = 1
    if argv is None:
        # The process is this command (the `alblab` script, `python -m alblab.cli`), and it has ended: a
        # Ctrl-C from here on changes nothing. The interpreter's exit (joining threads, closing clients) takes
        # a moment; a Ctrl-C then raised KeyboardInterrupt where nothing catches it, and the process died of
        # SIGINT whatever the command had done, without a word. A caller that passes ``argv`` (the suite, in
        # its own process) keeps its handler: an ignored SIGINT would pass on to every process it starts.
        signal.signal(signal.SIGINT, signal.SIG_IGN)
    sys.exit(int(rc or 0))


if __name__ == "__main__":
    main()
