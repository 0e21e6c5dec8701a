"""Writing a runbook document the way an on-call engineer does: real text in place of every skeleton section."""

from __future__ import annotations

import re

WRITTEN = {
    "Symptoms": "- Error and latency panels of the service dashboard rise together; customers see 5xx pages.",
    "Diagnosis": "1. `kubectl -n shop get pods` shows restarts or pending pods.\n"
                 "2. `kubectl -n shop logs deploy/checkout --since=15m | grep -i error` names the failing dependency.\n"
                 "3. `kubectl -n shop rollout history deploy/checkout` shows whether a deploy preceded it.",
    "Resolution": "- Dependency down: `kubectl -n shop set env deploy/checkout PAYMENTS_URL=$STANDBY_URL`.\n"
                  "- Capacity: `kubectl -n shop scale deploy/checkout --replicas=6`.",
    "Rollback": "- `kubectl -n shop rollout undo deploy/checkout`, then `kubectl -n shop rollout status deploy/checkout`.",
    "Escalation": "- Page #shop-oncall in PagerDuty; after 15 minutes without progress page the payments lead.",
}


def written(body: str, sections=tuple(WRITTEN)) -> str:
    """``body`` with the skeleton of ``sections`` replaced by written text (headings kept)."""
    for section in sections:
        body = re.sub(rf"(^## {section}\n\n)(.*?)(?=\n## |\Z)", lambda m, s=section: m.group(1) + WRITTEN[s] + "\n", body,
                      flags=re.S | re.M)
    return body
