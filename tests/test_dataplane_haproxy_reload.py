"""Convergence: re-render + hot reload via the master socket under open-loop load, no lost new connection."""

from __future__ import annotations

import threading
import time
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import pytest
from haproxy_helpers import (
    REAL_HAPROXY,
    Reply,
    backends,
    forward,
    free_port,
    haproxy,
    listener,
    request,
    stack,
    tg,
)

from alblab.dataplane.haproxy import HAProxyConfigError, HAProxyRuntimeError, check_config, reload
from alblab.dataplane.haproxy.runtime import show_proc
from alblab.model import Action, Condition, FixedResponse, Rule

pytestmark = REAL_HAPROXY

RATE_S = 0.01  # one new connection every 10 ms, whatever the outstanding ones do (open loop)
MIN_S, MAX_S = 2.0, 8.0  # bounded: at most 800 requests
RELOADS = 5


def version_rule(version: int) -> Rule:
    body = FixedResponse(200, "text/plain", f"v{version}")
    return Rule(
        "v", 1, (Condition("path-pattern", ("/version",)),), Action("fixed-response", fixed_response=body)
    )


def open_loop(pool: ThreadPoolExecutor, port: int, done: threading.Event) -> list[Future[Reply]]:
    """A new connection every RATE_S whatever the outstanding ones do, until ``done`` (at most MAX_S)."""
    futures: list[Future[Reply]] = []
    start = time.monotonic()
    while (elapsed := time.monotonic() - start) < MAX_S and not (done.is_set() and elapsed >= MIN_S):
        futures.append(pool.submit(request, port, "/"))
        time.sleep(max(0.0, start + len(futures) * RATE_S - time.monotonic()))
    return futures


def test_reload_under_load_loses_no_new_connection(tmp_path: Path) -> None:
    with backends(tmp_path, [("A", "127.0.0.2"), ("B", "127.0.0.3")]) as apps:
        group = tg("reload", [(a.ip, a.port) for a in apps.values()])
        port = free_port()

        def stack_v(version: int):  # type: ignore[no-untyped-def]
            return stack([listener(port, forward(group), [version_rule(version)])], [group])

        with haproxy(tmp_path, stack_v(0)) as node, ThreadPoolExecutor(max_workers=48) as pool:
            assert request(port, "/version").body == "v0"
            done = threading.Event()
            load = pool.submit(open_loop, pool, port, done)
            reload_ms: list[float] = []
            for version in range(1, RELOADS + 1):
                time.sleep(0.3)
                node.write(stack_v(version))
                t0 = time.monotonic()
                reload(node.node.master_sock, node.node.admin_sock, state_file=node.node.state_file)
                reload_ms.append((time.monotonic() - t0) * 1000)
            time.sleep(0.2)  # new connections after the last reload count too
            done.set()
            futures = load.result(timeout=MAX_S + 5)
            failed = []
            for f in futures:
                try:
                    status = f.result(timeout=10).status
                except Exception as exc:  # any failure of a new connection counts
                    failed.append(repr(exc))
                    continue
                if status != 200:
                    failed.append(status)
            print(
                f"{len(futures)} requests, {len(failed)} failed, reload ms: {[round(x) for x in reload_ms]}"
            )
            assert len(futures) >= 100, len(futures)
            assert failed == [], f"{len(failed)} of {len(futures)} failed; reloads took {reload_ms} ms"
            # The last reload is live: the new config answers.
            assert request(port, "/version").body == f"v{RELOADS}"
            assert show_proc(node.node.master_sock).reloads == RELOADS


def test_bad_config_is_rejected_and_the_old_worker_keeps_serving(tmp_path: Path) -> None:
    group = tg("bad", [])
    port = free_port()
    good = stack([listener(port, forward(group), [version_rule(1)])], [group])
    with haproxy(tmp_path, good) as node:
        node.node.cfg_path.write_text("frontend broken\n    bind 127.0.0.1:notaport\n")
        with pytest.raises(HAProxyConfigError, match="notaport"):
            check_config(node.node.cfg_path)
        with pytest.raises(HAProxyRuntimeError, match="did not load"):
            reload(node.node.master_sock, node.node.admin_sock)
        assert request(port, "/version").body == "v1"
