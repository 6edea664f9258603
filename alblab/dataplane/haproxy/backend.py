"""One target group as one HAProxy backend: algorithm, health check, stickiness, slow start, targets."""

from __future__ import annotations

from alblab.dataplane.documented import HEALTH_CHECK_USER_AGENT
from alblab.dataplane.haproxy import sticky
from alblab.dataplane.haproxy.names import backend_name, cfg_word, server_name
from alblab.dataplane.haproxy.own_answers import no_target_lines
from alblab.model import HealthCheck, Stack, TargetGroup

FAIL_OPEN_SUFFIX = "-failopen"

_ALGORITHMS = {
    "round_robin": "roundrobin",
    # HAProxy counts connections, ALB outstanding requests: equal for one request per connection.
    "least_outstanding_requests": "leastconn",
    # random(1): one uniform draw, as ALB's weighted_random without anomaly mitigation.
    "weighted_random": "random(1)",
}


def balance_line(tg: TargetGroup) -> str:
    algorithm = tg.algorithm
    if algorithm not in _ALGORITHMS:
        raise ValueError(f"target group {tg.name}: unknown load balancing algorithm {algorithm!r}")
    if algorithm == "round_robin" and tg.slow_start == 0:
        # roundrobin's dynamic weights can let a target that returns UP take a run of requests in a row
        # (measured: 8 after a reload); static-rr puts it straight back into the alternation, as ALB does.
        # Slow start needs those dynamic weights, so its groups keep roundrobin.
        return "balance static-rr"
    return f"balance {_ALGORITHMS[algorithm]}"


def health_check_lines(hc: HealthCheck) -> list[str]:
    """``option httpchk`` + request + expected codes; timing lives on the server lines."""
    if not hc.enabled:
        return []
    return [
        "option httpchk",
        # ALB sends HTTP/1.1 GET with its own User-Agent; HTTP/1.1 needs a Host header.
        f"http-check send meth GET uri {cfg_word(hc.path)} ver HTTP/1.1 "
        f"hdr Host %[srv_name] hdr User-Agent {cfg_word(HEALTH_CHECK_USER_AGENT)}",
        # ALB's matcher syntax ("200", "200,202", "200-299") is HAProxy's status list syntax.
        f"http-check expect status {cfg_word(hc.matcher.replace(' ', ''))}",
        f"timeout check {hc.timeout}s",
    ]


def _primaries(stack: Stack, tg: TargetGroup) -> list[str]:
    """The names of the servers that carry traffic (not the fail-open twins, not unserved targets)."""
    return [
        server_name(t, tg.port_of(t))
        for t in sorted(tg.targets, key=lambda t: (t.id, t.port or 0))
        if stack.address_of(tg, t) is not None and tg.port_of(t) is not None
    ]


def stickiness_lines(stack: Stack, tg: TargetGroup) -> list[str]:
    kind = tg.stickiness
    if kind is None:
        return []
    if kind == "lb_cookie":
        duration = int(tg.attributes.get("stickiness.lb_cookie.duration_seconds", "86400"))
        # use-server is skipped for a server that is down, and no server has a gone target's name: both
        # are routed as without a cookie. A fail-open twin answers under its primary's name.
        return [
            *(
                f"use-server {name} if {sticky.names(sticky.LB_COOKIE, name)}"
                for name in _primaries(stack, tg)
            ),
            *sticky.set_cookie_lines(sticky.LB_COOKIE, f"%[srv_name,regsub({FAIL_OPEN_SUFFIX}$,)]", duration),
        ]
    if kind == "app_cookie":
        name = tg.attributes.get("stickiness.app_cookie.cookie_name", "")
        duration = int(tg.attributes.get("stickiness.app_cookie.duration_seconds", "86400"))
        if not name:
            raise ValueError(f"target group {tg.name}: app_cookie stickiness without a cookie name")
        cookie = cfg_word(name)
        return [
            f"stick-table type string len 256 size 100k expire {duration}s",
            f"stick on req.cook({cookie})",
            f"stick store-response res.cook({cookie})",
        ]
    raise ValueError(f"target group {tg.name}: unknown stickiness type {kind!r}")


def server_lines(stack: Stack, tg: TargetGroup) -> list[str]:
    """Active servers (health-checked) and, for ALB's fail-open, an unchecked backup twin of each."""
    hc = tg.health_check
    primary: list[str] = []
    backups: list[str] = []
    for target in sorted(tg.targets, key=lambda t: (t.id, t.port or 0)):
        address = stack.address_of(tg, target)
        port = tg.port_of(target)
        name = server_name(target, port)
        if address is None or port is None:
            primary.append(f"# {name}: no address for a {tg.target_type} target, not served")
            continue
        host = f"[{address}]" if ":" in address else address
        # ALB does not validate target certificates.
        common = "ssl verify none" if tg.protocol == "HTTPS" else ""
        checks = ""
        if hc.enabled:
            checks = f" check inter {hc.interval}s fall {hc.unhealthy_threshold} rise {hc.healthy_threshold}"
            hc_port = tg.health_check_port(target)
            if hc_port is not None and hc_port != port:
                checks += f" port {hc_port}"
            if hc.protocol == "HTTPS" and tg.protocol != "HTTPS":
                checks += " check-ssl verify none"
            elif hc.protocol == "HTTP" and tg.protocol == "HTTPS":
                checks += " no-check-ssl"
        slow = f" slowstart {tg.slow_start}s" if tg.slow_start > 0 else ""
        primary.append(f"server {name} {host}:{port} {common}{checks}{slow}".replace("  ", " ").rstrip())
        if hc.enabled:
            backups.append(
                f"server {name}{FAIL_OPEN_SUFFIX} {host}:{port} {common} backup".replace("  ", " ")
            )
    return primary + backups


def render_backend(stack: Stack, tg: TargetGroup) -> str:
    lines = [f"backend {backend_name(tg)}", balance_line(tg)]
    lines += health_check_lines(tg.health_check)
    if tg.health_check.enabled:
        # ALB fails open: when every target is unhealthy it routes to all of them anyway.
        lines.append("option allbackups")
    servers = server_lines(stack, tg)
    if not any(line.startswith("server ") for line in servers):
        lines += no_target_lines()
    lines += stickiness_lines(stack, tg)
    lines += servers
    return "\n".join([lines[0], *("    " + line for line in lines[1:])]) + "\n"
