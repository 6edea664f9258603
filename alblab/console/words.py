"""The page's words in English and Korean, sent to the page once (it switches language without a reload).

The terms the lab's pictures already use come from there (``alblab.lab.diagram.WORDS``), so the console,
the diagrams and the glossary of docs/lab/README.ko.md say the same thing; ``{name}`` placeholders are
filled in by the page. ``GLOSSARY`` lists the Korean terms a test finds in that README's glossary.
"""

from __future__ import annotations

from alblab.lab.diagram import TARGET_TYPES
from alblab.lab.diagram import WORDS as DIAGRAM

SHARED = ("client", "listener", "rule", "default", "fixed", "onprem", "healthy", "unhealthy", "unknown")

OWN: dict[str, dict[str, str]] = {
    "en": {
        "title": "alblab console",
        "map": "Resource map",
        "listeners": "Listeners and rules",
        "target_groups": "Target groups",
        "sg_chain": "Security groups: who may connect",
        "stream": "Requests through the ALB",
        "try": "Try it",
        "send": "Send",
        "count": "count",
        "path": "path",
        "method": "method",
        "host": "Host",
        "header": "header (Name: value)",
        "fail": "Fail",
        "heal": "Heal",
        "reach": "Try direct",
        "forward": "forward to {tg}",
        "redirect": "redirect {code}",
        "priority": "priority",
        "health_check": "health check {protocol} {path} every {interval} s",
        "type_instance": "instance",
        "type_ip": "IP address",
        "node": "ALB node {name}",
        "nodes": "ALB nodes",
        "requests": "requests: {n}",
        "direct_short": "direct from the client: {result}",
        "last": "last answer",
        "alb_itself": "the ALB itself",
        "no_requests": "No request yet: send some here, or with alblab curl in a terminal.",
        "time": "time",
        "status": "status",
        "target": "answered by",
        "via": "rule",
        "live": "live",
        "down": "down",
        "no_alb": "no load balancer yet",
        "map_only": "no data plane: the map only",
        "reconnecting": "reconnecting",
        "internet_to_alb": "client {ip} → listener {listener}",
        "alb_to_target": "ALB → {target}:{port}",
        "direct_to_target": "client {ip} → {target}:{port} directly, bypassing the ALB",
        "open": "open",
        "blocked": "blocked",
        "refused": "refused (nothing listens)",
        "allowed": "allowed",
        "denied": "denied",
        "step": "Step {n}",
        "notice": "What to notice",
        "node-down": "node down",
        "unused": "unused",
        "unavailable": "unavailable",
        "draining": "draining",
        "mixed": "mixed",
        "sent": "sent {n}: {summary}",
        "no_answer": "no answer",
        "failed_now": "{target} fails ({mode}): watch its health checks turn it unhealthy",
        "healed_now": "{target} answers again: watch its health checks bring it back",
        "direct_result": "direct connection to {target}:{port}: {result}",
    },
    "ko": {
        "title": "alblab 콘솔",
        "map": "리소스 맵",
        "listeners": "리스너와 규칙",
        "target_groups": "대상 그룹",
        "sg_chain": "보안 그룹: 누가 연결할 수 있나",
        "stream": "ALB를 거친 요청",
        "try": "직접 해 보기",
        "send": "보내기",
        "count": "개수",
        "path": "경로",
        "method": "메서드",
        "host": "Host",
        "header": "헤더 (이름: 값)",
        "fail": "고장 내기",
        "heal": "복구",
        "reach": "직접 연결",
        "forward": "대상 그룹으로 전달: {tg}",
        "redirect": "리디렉션 {code}",
        "priority": "우선순위",
        "health_check": "상태 검사 {protocol} {path}, 간격 {interval}초",
        "node": "ALB 노드 {name}",
        "nodes": "ALB 노드",
        "requests": "요청 {n}개",
        "direct_short": "클라이언트에서 직접 접근: {result}",
        "last": "마지막 응답",
        "alb_itself": "ALB가 직접 응답",
        "no_requests": "아직 요청이 없습니다. 여기서 보내거나 터미널에서 alblab curl로 보내 보세요.",
        "time": "시각",
        "status": "상태 코드",
        "target": "응답한 대상",
        "via": "규칙",
        "live": "실시간",
        "down": "중지됨",
        "no_alb": "아직 로드 밸런서가 없습니다",
        "map_only": "데이터 플레인 없음: 맵만 표시",
        "reconnecting": "다시 연결하는 중",
        "internet_to_alb": "클라이언트 {ip} → 리스너 {listener}",
        "alb_to_target": "ALB → {target}:{port}",
        "direct_to_target": "클라이언트 {ip} → {target}:{port} 직접 접근 (ALB를 거치지 않음)",
        "open": "열림",
        "blocked": "막힘",
        "refused": "거부됨 (듣는 프로그램 없음)",
        "allowed": "허용",
        "denied": "거부",
        "step": "{n}단계",
        "notice": "눈여겨볼 것",
        "node-down": "노드 중지",
        "unused": "사용 안 함",
        "unavailable": "사용할 수 없음",
        "draining": "드레이닝 중",
        "mixed": "노드마다 다름",
        "sent": "{n}개 보냄: {summary}",
        "no_answer": "응답 없음",
        "failed_now": "{target} 고장 ({mode}): 상태 검사가 비정상으로 바꾸는 것을 지켜보세요",
        "healed_now": "{target} 복구: 상태 검사가 다시 정상으로 바꾸는 것을 지켜보세요",
        "direct_result": "{target}:{port} 직접 연결: {result}",
    },
}

# (English term on the page, its Korean word): each Korean word is in docs/lab/README.ko.md's glossary.
GLOSSARY = (
    ("security group", "보안 그룹"),
    ("target group", "대상 그룹"),
    ("health check", "상태 검사"),
    ("healthy / unhealthy", "정상 / 비정상"),
    ("listener, rule, priority", "리스너"),
    ("priority", "우선순위"),
    ("default action", "기본 작업"),
    ("forward", "대상 그룹으로 전달"),
    ("fixed response", "고정 응답"),
    ("the ALB itself", "ALB가 직접 응답"),
    ("direct access", "직접 접근"),
    ("open / blocked", "열림 / 막힘"),
    ("on-prem", "온프레미스"),
    ("resource map", "리소스 맵"),
    ("requests through the ALB", "ALB를 거친 요청"),
)


def page_words() -> dict[str, dict[str, str]]:
    """language -> key -> text, for the page."""
    out = {}
    for lang, own in OWN.items():
        words = {key: DIAGRAM[lang][key] for key in SHARED}
        for kind, word in TARGET_TYPES.get(lang, {}).items():
            words[f"type_{kind}"] = word
        out[lang] = {**own, **words}
    return out
