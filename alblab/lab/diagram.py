"""Draw the live topology with graphviz: client, ALB nodes, listener rules, target groups, targets.

Input is the ``Stack`` read from the API plus what the data plane measured (target health, the ALB nodes'
addresses) and the reach verdicts (may the client / the ALB open a connection to each target?). Every edge
into a target carries the security-group rule that decides it ("from 0.0.0.0/0", "from sg lab-alb"), so a
changed rule shows as a changed label; edge colours say allowed (green) or blocked (red), target fill says
health. Labels come in English and Korean (the console's terms), one picture per language.
"""

from __future__ import annotations

import ipaddress
import subprocess
import textwrap
from dataclasses import dataclass, field
from itertools import pairwise
from pathlib import Path

from alblab import present
from alblab.model import Action, Listener, SecurityGroup, Stack

HEALTH_COLOURS = {"healthy": "#b7e4c7", "unhealthy": "#f4a6a6", "unknown": "#e0e0e0"}
ALLOWED, BLOCKED = "#2d9a4b", "#d62828"
LANGUAGES = ("en", "ko")
FONTS = {"en": "Helvetica", "ko": "NanumGothic"}

WORDS: dict[str, dict[str, str]] = {
    "en": {
        "client": "client (you)",
        "alb": "ALB {name}",
        "alb_sg": "SG {sg}: {rules}",
        "node": "ALB node {ip}\nsubnet {cidr}\n{az}",
        "listener": "listener {proto}:{port}",
        "rule": "rule {priority}",
        "default": "default action",
        "fixed": "fixed response {code}",
        "tg": "target group {name}\ntype {type}, {proto}:{port}",
        "onprem": "on-prem (outside the VPC)",
        "from": "from {source}",
        "nothing": "no rule admits it",
        "direct_ok": "direct: {rule}",
        "direct_no": "direct: blocked, {rule}",
        "no_answer": ", no answer",
        "healthy": "healthy",
        "unhealthy": "unhealthy",
        "unknown": "unknown",
        "legend": "legend",
        "legend_green": "green arrow: the security groups allow it (label: the rule that does)",
        "legend_red": "red arrow ending in a bar: the security groups block it",
        "legend_dashed": "dashed: you, straight to an instance, bypassing the ALB",
        "legend_fill": "box colour: health check result (green healthy, red unhealthy)",
    },
    "ko": {
        "client": "클라이언트 (나)",
        "alb": "ALB {name}",
        "alb_sg": "보안 그룹 {sg}: {rules}",
        "node": "ALB 노드 {ip}\n서브넷 {cidr}\n{az}",
        "listener": "리스너 {proto}:{port}",
        "rule": "규칙 {priority}",
        "default": "기본 작업",
        "fixed": "고정 응답 {code}",
        "tg": "대상 그룹 {name}\n대상 유형: {type}, {proto}:{port}",
        "onprem": "온프레미스 (VPC 밖)",
        "from": "소스 {source}",
        "nothing": "허용하는 규칙 없음",
        "direct_ok": "직접 접근: {rule}",
        "direct_no": "직접 접근 차단: {rule}",
        "no_answer": ", 응답 없음",
        "healthy": "정상",
        "unhealthy": "비정상",
        "unknown": "알 수 없음",
        "legend": "범례",
        "legend_green": "초록 화살표: 보안 그룹이 허용 (글자: 허용하는 규칙)",
        "legend_red": "막대로 끝나는 빨간 화살표: 보안 그룹이 차단",
        "legend_dashed": "점선: ALB를 거치지 않고 인스턴스로 직접",
        "legend_fill": "상자 색: 상태 검사 결과 (초록 정상, 빨강 비정상)",
    },
}
TARGET_TYPES = {"ko": {"instance": "인스턴스", "ip": "IP 주소"}}


@dataclass(frozen=True)
class AlbNodeView:
    ip: str
    az: str


@dataclass(frozen=True)
class Observations:
    client_ip: str
    alb_nodes: tuple[AlbNodeView, ...] = ()
    health: dict[tuple[str, str], str] = field(default_factory=dict)  # (tg arn, target id) -> healthy|…
    client_to_instance: dict[str, bool] = field(default_factory=dict)  # instance id -> allowed
    alb_to_instance: dict[str, bool] = field(default_factory=dict)  # instance id -> allowed


def _q(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def _node_id(kind: str, key: str) -> str:
    return _q(f"{kind}:{key}")


def _contains(source: str, ip: str) -> bool:
    """Does the rule source ``source`` (a CIDR, or "sg NAME") admit the address ``ip``?"""
    try:
        return ipaddress.ip_address(ip) in ipaddress.ip_network(source, strict=False)
    except ValueError:
        return False  # a security group never holds the client


def _html(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


class _Drawing:
    def __init__(self, stack: Stack, seen: Observations, short_name: dict[str, str], lang: str) -> None:
        self.stack, self.seen, self.names, self.lang = stack, seen, short_name, lang
        self.words = WORDS[lang]
        self.lines: list[str] = []

    def w(self, key: str, **values: object) -> str:
        return self.words[key].format(**values)

    def add(self, line: str) -> None:
        self.lines.append(line)

    # --- security-group rules, as the labels on the edges ---------------------------------------

    def _sg_name(self, group_id: str) -> str:
        group = self.stack.security_groups.get(group_id)
        return group.name if group else group_id

    def _sources(self, groups: list[SecurityGroup], port: int) -> list[str]:
        """The sources of every ingress rule of ``groups`` that covers tcp ``port``."""
        found = []
        for group in groups:
            for rule in group.ingress:
                if not rule.covers_port("tcp", port):
                    continue
                if rule.referenced_group_id:
                    found.append(f"sg {self._sg_name(rule.referenced_group_id)}")
                else:
                    found.append(rule.cidr_ipv4 or rule.cidr_ipv6 or rule.prefix_list_id or "?")
        return sorted(set(found))

    def _subnet_of(self, ip: str) -> str:
        for subnet in self.stack.subnets.values():
            if _contains(subnet.cidr_ipv4, ip):
                return subnet.cidr_ipv4
        return "?"

    def _groups(self, group_ids: tuple[str, ...]) -> list[SecurityGroup]:
        return [self.stack.security_groups[g] for g in group_ids if g in self.stack.security_groups]

    def _rule_admitting(self, group_ids: tuple[str, ...], port: int, source_ip: str | None) -> str:
        """The rules that let ``source_ip`` in (every rule for the port when None), or "no rule admits it"."""
        sources = self._sources(self._groups(group_ids), port)
        if source_ip is not None:
            sources = [s for s in sources if _contains(s, source_ip)]
        return self.w("from", source=", ".join(sources)) if sources else self.w("nothing")

    # --- the parts -------------------------------------------------------------------------------

    def alb(self) -> list[str]:
        lb = self.stack.load_balancer
        ports = sorted({listener.port for listener in lb.listeners})
        rules = ", ".join(
            self.w("from", source=s)
            for p in ports
            for s in self._sources(self._groups(lb.security_group_ids), p)
        )
        sgs = ", ".join(self._sg_name(g) for g in lb.security_group_ids)
        label = (
            self.w("alb", name=lb.name) + "\n" + self.w("alb_sg", sg=sgs, rules=rules or self.w("nothing"))
        )
        self.add(f"  subgraph {_q('cluster_alb')} {{")
        self.add(f"    label={_q(label)}; style=rounded; color={_q('#5a6b7d')};")
        entry = []
        for node in self.seen.alb_nodes:
            node_id = _node_id("albnode", node.ip)
            label = self.w("node", az=node.az, ip=node.ip, cidr=self._subnet_of(node.ip))
            self.add(
                f"    {node_id} [shape=box3d, style=filled, fillcolor={_q('#eef3f8')}, label={_q(label)}];"
            )
            entry.append(node_id)
        listener_nodes = [self._listener(listener, entry) for listener in lb.listeners]
        self.add("  }")
        return entry or listener_nodes

    def _listener(self, listener: Listener, entry: list[str]) -> str:
        node = _node_id("listener", listener.arn)
        label = self.w("listener", proto=listener.protocol, port=listener.port)
        self.add(f"    {node} [shape=box, style=rounded, label={_q(label)}];")
        for source in entry:
            self.add(f"    {source} -> {node};")
        for rule in listener.rules:
            rule_node = _node_id("rule", rule.arn)
            conditions = "\n".join(textwrap.fill(present.condition(c), 24) for c in rule.conditions)
            label = f"{self.w('rule', priority=rule.priority)}\n{conditions}"
            self.add(f"    {rule_node} [shape=box, style=dashed, label={_q(label)}];")
            self.add(f"    {node} -> {rule_node};")
            self._fixed(rule_node, rule.action, rule.arn)
        default = _node_id("rule", listener.arn + "/default")
        self.add(f"    {default} [shape=box, style=dashed, label={_q(self.w('default'))}];")
        self.add(f"    {node} -> {default};")
        self._fixed(default, listener.default_action, listener.arn)
        # One row, left to right in the order the ALB evaluates them, the default action last.
        row = [_node_id("rule", rule.arn) for rule in listener.rules] + [default]
        self.add(f"    {{ rank=same; {'; '.join(row)}; }}")
        for left, right in pairwise(row):
            self.add(f"    {left} -> {right} [style=invis];")
        return node

    def _fixed(self, source: str, action: Action, key: str) -> None:
        """A fixed response is the ALB answering by itself: drawn inside the ALB."""
        if action.type != "fixed-response" or action.fixed_response is None:
            return
        fixed = action.fixed_response
        body = textwrap.fill(fixed.message_body, 30, max_lines=3, placeholder=" ...")
        label = f"{self.w('fixed', code=fixed.status_code)}\n{body}"
        node = _node_id("fixed", key)
        self.add(f"    {node} [shape=note, style=filled, fillcolor={_q('#fde2b3')}, label={_q(label)}];")
        self.add(f"    {source} -> {node};")

    def forwards(self) -> None:
        lb = self.stack.load_balancer
        for listener in lb.listeners:
            actions = [(r.arn, r.action) for r in listener.rules]
            actions.append((listener.arn + "/default", listener.default_action))
            for key, action in actions:
                if action.type != "forward":
                    continue
                for weighted in action.target_groups:
                    label = (
                        f" [label={_q(f'weight {weighted.weight}')}]" if len(action.target_groups) > 1 else ""
                    )
                    self.add(
                        f"  {_node_id('rule', key)} -> {_node_id('tg', weighted.target_group_arn)}{label};"
                    )

    def target_groups(self) -> None:
        types = TARGET_TYPES.get(self.lang, {})
        drawn: set[str] = set()
        for tg in sorted(self.stack.target_groups.values(), key=lambda t: t.name):
            tg_node = _node_id("tg", tg.arn)
            label = self.w(
                "tg",
                name=tg.name,
                type=types.get(tg.target_type, tg.target_type),
                proto=tg.protocol,
                port=tg.port,
            )
            self.add(f"  {tg_node} [shape=folder, label={_q(label)}];")
            for target in tg.targets:
                self._target(tg_node, tg.arn, target.id, tg.port_of(target) or tg.port, drawn)

    def _target(self, tg_node: str, tg_arn: str, target_id: str, port: int, drawn: set[str]) -> None:
        target_node = _node_id("target", target_id)
        instance = self.stack.instances.get(target_id)
        if target_id not in drawn:
            drawn.add(target_id)
            health = self.seen.health.get((tg_arn, target_id), "unknown")
            name = self.names.get(target_id, target_id)
            if instance:
                groups = ", ".join(self._sg_name(g) for g in instance.security_group_ids)
                where = f"{instance.private_ip}\nSG {groups}"
            else:
                where = f"{target_id}\n{self.w('onprem')}"
            label = f"{name}\n{where}\n{self.w(health if health in HEALTH_COLOURS else 'unknown')}"
            fill = _q(HEALTH_COLOURS.get(health, HEALTH_COLOURS["unknown"]))
            self.add(f"  {target_node} [shape=box, style=filled, fillcolor={fill}, label={_q(label)}];")
        if instance is None:
            # No security group on an on-prem server; the ALB's egress rule is its side.
            self.add(f"  {tg_node} -> {target_node} [label={_q(f':{port}')}, color={_q(ALLOWED)}];")
            return
        allowed = self.seen.alb_to_instance.get(target_id, True)
        rule = self._rule_admitting(instance.security_group_ids, port, None)
        colour = _q(ALLOWED if allowed else BLOCKED)
        label = _q(f":{port} {rule}")
        self.add(f"  {tg_node} -> {target_node} [label={label}, color={colour}, fontcolor={colour}];")

    def direct(self) -> None:
        """You, straight to each instance: coloured by what the security groups say, labelled with the rule
        that decides; "no answer" when they allow it and nothing answered (a stopped web server)."""
        for instance_id in sorted(self.seen.client_to_instance):
            instance = self.stack.instances[instance_id]
            answered = self.seen.client_to_instance[instance_id]
            rule = self._rule_admitting(instance.security_group_ids, 80, self.seen.client_ip)
            allowed = rule != self.w("nothing")
            if not allowed:
                label = self.w("direct_no", rule=rule)
            else:
                label = self.w("direct_ok", rule=rule) + ("" if answered else self.w("no_answer"))
            colour = _q(ALLOWED if allowed else BLOCKED)
            style = f"style=dashed, constraint=false, color={colour}, fontcolor={colour}, label={_q(label)}"
            tee = "" if allowed else ", arrowhead=tee"
            self.add(f"  client -> {_node_id('target', instance_id)} [{style}{tee}];")

    def legend(self) -> None:
        # A node of its own (not the graph's label) so that it stays readable when GitHub scales the picture.
        rows = [
            f'<tr><td align="left"><b>{_html(self.w("legend"))}</b></td></tr>',
            f'<tr><td align="left"><font color="{ALLOWED}">{_html(self.w("legend_green"))}</font></td></tr>',
            f'<tr><td align="left"><font color="{BLOCKED}">{_html(self.w("legend_red"))}</font></td></tr>',
            f'<tr><td align="left">{_html(self.w("legend_dashed"))}</td></tr>',
            f'<tr><td align="left">{_html(self.w("legend_fill"))}</td></tr>',
        ]
        table = '<table border="0" cellborder="0" cellspacing="2">' + "".join(rows) + "</table>"
        self.add(f"  legend [shape=box, style=rounded, color={_q('#999999')}, fontsize=13, label=<{table}>];")


def to_dot(stack: Stack, seen: Observations, short_name: dict[str, str], lang: str = "en") -> str:
    """``short_name`` maps instance ids / IPs to what the lab calls them (web-a, on-prem)."""
    drawing = _Drawing(stack, seen, short_name, lang)
    font = FONTS[lang]
    client_label = f"{drawing.w('client')}\n{seen.client_ip}"
    drawing.add("digraph alb {")
    # Top to bottom: half the width of left to right, so it stays readable at a web page's width.
    # mclimit: little crossing minimisation, so the rules keep the row order the ALB evaluates them in.
    drawing.add(f"  rankdir=TB; newrank=true; mclimit=0.01; ranksep=0.3; nodesep=0.15; fontname={_q(font)};")
    drawing.add(f"  node [fontname={_q(font)}, fontsize=13]; edge [fontname={_q(font)}, fontsize=12];")
    drawing.add(f"  client [shape=box, style=filled, fillcolor={_q('#dbe9ff')}, label={_q(client_label)}];")
    entry = drawing.alb()
    for node in entry:
        drawing.add(f"  client -> {node} [label={_q('HTTP')}];")
    drawing.forwards()
    drawing.target_groups()
    drawing.direct()
    drawing.legend()
    drawing.add("  { rank=same; client; legend; }")
    drawing.add("}")
    return "\n".join(drawing.lines) + "\n"


def render(dot_source: str, out_prefix: Path) -> tuple[Path, Path]:
    """Write ``<prefix>.dot``, ``.svg`` and ``.png`` with graphviz ``dot``; returns (svg, png)."""
    out_prefix.parent.mkdir(parents=True, exist_ok=True)
    dot_file = out_prefix.with_name(out_prefix.name + ".dot")
    dot_file.write_text(dot_source)
    svg, png = out_prefix.with_name(out_prefix.name + ".svg"), out_prefix.with_name(out_prefix.name + ".png")
    subprocess.run(["dot", "-Tsvg", str(dot_file), "-o", str(svg)], check=True, timeout=60)
    subprocess.run(["dot", "-Tpng", "-Gdpi=110", str(dot_file), "-o", str(png)], check=True, timeout=60)
    return svg, png
