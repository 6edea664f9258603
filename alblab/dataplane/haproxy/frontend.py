"""One ALB listener as one HAProxy frontend: binds, TLS, header hygiene, X-Forwarded-*, prioritised rules."""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path

from alblab.dataplane.documented import DEFAULT_PORTS
from alblab.dataplane.haproxy import own_answers, sticky
from alblab.dataplane.haproxy.actions import DEFAULT_RULE, ActionLines, action_lines
from alblab.dataplane.haproxy.match import rule_acls
from alblab.dataplane.haproxy.names import cfg_word, frontend_name
from alblab.model import Listener, Stack

_TLS13_POLICY = re.compile(r"TLS13-1-([0-3])")


def tls_versions(ssl_policy: str | None) -> tuple[str, str]:
    """(ssl-min-ver, ssl-max-ver) of an ELB security policy; ciphers are not mapped (see differences.md)."""
    policy = ssl_policy or "ELBSecurityPolicy-2016-08"
    m = _TLS13_POLICY.search(policy)
    if m:
        return f"TLSv1.{m.group(1)}", "TLSv1.3"
    if "TLS-1-2" in policy or "FS-1-2" in policy:
        return "TLSv1.2", "TLSv1.2"
    if "TLS-1-1" in policy or "FS-1-1" in policy:
        return "TLSv1.1", "TLSv1.2"
    return "TLSv1.0", "TLSv1.2"


def bind_lines(
    listener: Listener, bind_ips: tuple[str, ...], certs: Mapping[str, Path], http2: bool
) -> list[str]:
    tls = ""
    if listener.protocol == "HTTPS":
        if not listener.certificate_arns:
            raise ValueError(f"HTTPS listener on port {listener.port} has no certificate")
        missing = [arn for arn in listener.certificate_arns if arn not in certs]
        if missing:
            raise ValueError(f"listener {listener.port}: no PEM (cert+key) for {missing}")
        # The first crt is HAProxy's default certificate, as the listener's default certificate is ALB's;
        # the others are picked by SNI from their own names.
        crts = " ".join(f"crt {cfg_word(str(certs[arn]))}" for arn in listener.certificate_arns)
        low, high = tls_versions(listener.ssl_policy)
        alpn = "h2,http/1.1" if http2 else "http/1.1"
        tls = f" ssl {crts} ssl-min-ver {low} ssl-max-ver {high} alpn {alpn}"
    return [f"bind {ip}:{listener.port}{tls}" for ip in bind_ips]


def header_hygiene_lines(lb_attributes: Mapping[str, str]) -> list[str]:
    if lb_attributes.get("routing.http.drop_invalid_header_fields.enabled", "false") != "true":
        return []
    # ALB keeps only names matching ^[-A-Za-z0-9]+$; HAProxy already rejects names that are not RFC tokens.
    return ["http-request del-header ^.*[^-A-Za-z0-9].*$ -m reg"]


def forwarded_lines(listener: Listener, lb_attributes: Mapping[str, str]) -> list[str]:
    mode = lb_attributes.get("routing.http.xff_header_processing.mode", "append")
    with_port = lb_attributes.get("routing.http.xff_client_port.enabled", "false") == "true"
    client = "%[src]:%[src_port]" if with_port else "%[src]"
    lines: list[str] = []
    if mode == "append":
        one = "{ req.fhdr_cnt(x-forwarded-for) -m int eq 1 }"
        joined = "%[req.fhdr(x-forwarded-for)], " + client
        lines += [
            # One client line: ALB's single "client-sent, peer" value.
            f"http-request set-header X-Forwarded-For {cfg_word(joined)} if {one}",
            # Several client lines: HAProxy cannot join them; one more line is the same list (RFC 9110 5.3).
            f"http-request add-header X-Forwarded-For {cfg_word(client)} unless {one}",
        ]
    elif mode == "remove":
        lines.append("http-request del-header X-Forwarded-For")
    elif mode != "preserve":
        raise ValueError(f"unknown routing.http.xff_header_processing.mode {mode!r}")
    lines += [
        f"http-request set-header X-Forwarded-Proto {listener.protocol.lower()}",
        f"http-request set-header X-Forwarded-Port {listener.port}",
    ]
    return lines


ABSOLUTE_FORM = "{ url_reg -i ^[a-z][a-z0-9+.-]*:// }"


def host_header_lines(listener: Listener, lb_attributes: Mapping[str, str]) -> list[str]:
    """The Host header and request target a target receives, per the table of the ALB documentation
    (edit-load-balancer-attributes.html#host-header-preservation).

    Preserve off (the default): an absolute-form target's authority becomes the Host; on ports 80 and 443
    any port in it is removed, on other ports the listener's port is appended when it has none. Preserve
    on: the Host is sent as received. Either way the target gets an origin-form request target.
    """
    lines: list[str] = []
    if lb_attributes.get("routing.http.preserve_host_header.enabled", "false") != "true":
        lines.append(f"http-request set-header Host %[url,field(3,/),field(1,?)] if {ABSOLUTE_FORM}")
        if listener.port in DEFAULT_PORTS:
            lines.append(
                "http-request replace-header Host " + cfg_word("^(.*):[0-9]*$") + " " + cfg_word("\\1")
            )
        else:
            with_port = cfg_word(f"%[req.hdr(host)]:{listener.port}")
            no_port = "{ req.hdr(host) -m found } !{ req.hdr(host) -m reg :[0-9]*$ }"
            lines.append(f"http-request set-header Host {with_port} if {no_port}")
    lines.append(f"http-request set-uri %[pathq] if {ABSOLUTE_FORM}")
    return lines


# 8 hex digits of epoch seconds, then 24 random hex digits (HAProxy's hex of an int has 8 leading zero bytes).
_HEX32 = "%[rand,hex,lower,regsub(^00000000,)]"
_TRACE = f"1-%[date,hex,lower,regsub(^00000000,)]-{_HEX32}{_HEX32}{_HEX32}"
_VALID_TRACE = r"Root=1-[0-9a-fA-F]{8}-[0-9a-fA-F]{24}"


def trace_id_lines() -> list[str]:
    """X-Amzn-Trace-Id: a new Root when missing or invalid, else a Self field before the client's value."""
    valid = f"{{ req.fhdr(x-amzn-trace-id) -m reg {cfg_word(_VALID_TRACE)} }}"
    self_field = cfg_word(f"Self={_TRACE};%[req.fhdr(x-amzn-trace-id),regsub(Self=[^;]*;?,)]")
    return [
        f"http-request set-header X-Amzn-Trace-Id {self_field} if {valid}",
        f"http-request set-header X-Amzn-Trace-Id {cfg_word('Root=' + _TRACE)} unless {valid}",
    ]


def tls_info_lines(listener: Listener, lb_attributes: Mapping[str, str]) -> list[str]:
    key = "routing.http.x_amzn_tls_version_and_cipher_suite.enabled"
    if listener.protocol != "HTTPS" or lb_attributes.get(key, "false") != "true":
        return []
    return [
        "http-request set-header x-amzn-tls-version %[ssl_fc_protocol]",
        "http-request set-header x-amzn-tls-cipher-suite %[ssl_fc_cipher]",
    ]


def selection_lines(listener: Listener) -> tuple[list[str], list[str]]:
    """(acl lines, rule selection lines): the first matching rule by priority sets txn.rule."""
    acls: list[str] = []
    select: list[str] = []
    unset = "!{ var(txn.rule) -m found }"
    for rule in sorted(listener.rules, key=lambda r: r.priority):
        named = rule_acls(rule.priority, rule.conditions)
        acls += [line for _, line in named]
        names = " ".join(name for name, _ in named)
        select.append(f"http-request set-var(txn.rule) int({rule.priority}) if {unset} {names}".rstrip())
    select.append(f"http-request set-var(txn.rule) int({DEFAULT_RULE}) if {unset}")
    return acls, select


def render_frontend(
    stack: Stack, listener: Listener, bind_ips: tuple[str, ...], certs: Mapping[str, Path]
) -> str:
    attrs = stack.load_balancer.attributes
    http2 = attrs.get("routing.http2.enabled", "true") == "true"
    acls, select = selection_lines(listener)
    actions = ActionLines()
    for rule in sorted(listener.rules, key=lambda r: r.priority):
        actions.extend(action_lines(rule.priority, rule.action, listener, stack))
    actions.extend(action_lines(DEFAULT_RULE, listener.default_action, listener, stack))
    body = [
        *bind_lines(listener, bind_ips, certs, http2),
        # ALB forwards what HAProxy's parser would refuse first: header names that are not tokens (unless
        # drop_invalid_header_fields removes them), an absolute-form target whose authority is not the Host.
        "option accept-invalid-http-request",
        *own_answers.request_check_lines(),
        *sticky.clock_lines(),
        *header_hygiene_lines(attrs),
        *acls,
        *select,
        # Rewrites after selection: conditions see the request as the client sent it.
        *forwarded_lines(listener, attrs),
        *host_header_lines(listener, attrs),
        *trace_id_lines(),
        *tls_info_lines(listener, attrs),
        *actions.http_request,
        *actions.use_backend,
        *own_answers.response_lines(),
        *actions.http_response,
        *own_answers.after_response_lines(),
    ]
    return f"frontend {frontend_name(listener.port)}\n" + "".join(f"    {line}\n" for line in body)
