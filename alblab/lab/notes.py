"""What the web console shows for the current lab step: its title and what to notice, in English and Korean.

The English titles are the steps' own (``steps.STEPS``); the Korean ones are the headings of
docs/lab/README.ko.md. The words follow that README's glossary (대상 그룹, 상태 검사, 고정 응답, ...).
"""

from __future__ import annotations

from typing import Any

from alblab.lab.steps import LAST, step

KO_TITLES = {
    1: "보안 그룹",
    2: "인스턴스 두 대를 담은 대상 그룹",
    3: "HTTP 리스너가 있는 ALB",
    4: "이름 하나, 인스턴스 두 대",
    5: "인스턴스가 고장 났다가 돌아옵니다",
    6: "보안 강화 1 — 인스턴스는 ALB만 받습니다",
    7: "보안 강화 2 — /admin에는 고정 응답",
    8: "경로 기반 라우팅과 온프레미스 서버",
    9: "인스턴스 한 대에 앱 여러 개",
}

NOTICE: dict[int, dict[str, str]] = {
    1: {
        "en": "No load balancer yet: the two security groups exist, and the instances' group still lets "
        "anyone in on port 80.",
        "ko": "아직 로드 밸런서가 없습니다. 보안 그룹 두 개가 생겼고, 인스턴스의 보안 그룹은 아직 누구에게나 "
        "80번 포트를 열어 둡니다.",
    },
    2: {
        "en": "The target group registers web-a and web-b; its health check (GET /health every 5 s) decides "
        "which of them may receive requests. The ALB arrives in step 3.",
        "ko": "대상 그룹에 web-a와 web-b가 등록되었습니다. 상태 검사(5초마다 GET /health)가 요청을 받을 "
        "대상을 정합니다. ALB는 3단계에서 생깁니다.",
    },
    3: {
        "en": "Send requests: the listener's default action forwards each one to the target group, and the "
        "two instances answer in turn.",
        "ko": "요청을 보내 보세요. 리스너의 기본 작업이 요청을 대상 그룹으로 전달하고, 두 인스턴스가 번갈아 "
        "응답합니다.",
    },
    4: {
        "en": "One DNS name, two instances in turn. Try a direct connection to an instance: it is still "
        "open, because step 1's rule admits 0.0.0.0/0.",
        "ko": "DNS 이름 하나에 인스턴스 두 대가 번갈아 응답합니다. 인스턴스에 직접 연결해 보세요. 1단계의 "
        "규칙이 0.0.0.0/0을 허용하므로 아직 열려 있습니다.",
    },
    5: {
        "en": "Fail web-a: after two failed health checks it turns unhealthy and every request goes to "
        "web-b. Heal it, and it comes back.",
        "ko": "web-a를 고장 내 보세요. 상태 검사에 두 번 실패하면 비정상이 되고 모든 요청이 web-b로 갑니다. "
        "복구하면 다시 돌아옵니다.",
    },
    6: {
        "en": "The instances' rule names the ALB's security group as its source: a direct connection is "
        "blocked, requests through the ALB still arrive.",
        "ko": "인스턴스의 규칙이 ALB의 보안 그룹을 소스로 지정합니다. 직접 접근은 막히고, ALB를 거친 요청은 "
        "그대로 도착합니다.",
    },
    7: {
        "en": "Send /admin: rule 10 answers 403 by itself (fixed response) and no instance sees the request; "
        "everything else still goes to the target group.",
        "ko": "/admin을 보내 보세요. 규칙 10이 직접 403으로 답하고(고정 응답) 어떤 인스턴스도 요청을 보지 "
        "못합니다. 나머지는 그대로 대상 그룹으로 갑니다.",
    },
    8: {
        "en": "Send /mobile and /desktop: rule 20 forwards /mobile to web-a and web-b in turn, rule 30 sends "
        "/desktop to the on-premises IP target.",
        "ko": "/mobile과 /desktop을 보내 보세요. 규칙 20은 /mobile을 web-a와 web-b로 번갈아 전달하고, 규칙 "
        "30은 /desktop을 온프레미스 IP 대상으로 보냅니다.",
    },
    9: {
        "en": "Send /shop and /blog: each app has a target group of its own, on its own port (8080, 8081) of "
        "the same two instances.",
        "ko": "/shop과 /blog를 보내 보세요. 앱마다 같은 두 인스턴스의 자기 포트(8080, 8081)로 대상 그룹이 "
        "따로 있습니다.",
    },
}


def step_info(number: int) -> dict[str, Any]:
    """The console's banner for step ``number`` (1..LAST), JSON-ready."""
    if not 1 <= number <= LAST:
        raise KeyError(f"no lab step {number} (steps are 1..{LAST})")
    return {
        "number": number,
        "title": {"en": step(number).title, "ko": KO_TITLES[number]},
        "notice": NOTICE[number],
        "try": list(step(number).try_next),
    }
