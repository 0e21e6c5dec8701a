"""Runbook documents made by flowops stay Backlog.md documents, and survive Backlog.md's edits.

A person replaces the skeleton with their own runbook through `backlog doc update
--content` and retitles it with `--title` (which renames the file). Backlog.md keeps a
document's tags through both, and the key tag is what flowops finds the runbook by.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

pytestmark = pytest.mark.interop

ALERTS = Path(__file__).resolve().parents[1] / "data" / "alerts"
RUNBOOK = """# Checkout latency

## Symptoms
Checkout pages take more than 2 s; the "Checkout" dashboard latency panel is red.

## Diagnosis
1. `kubectl -n shop top pods -l app=checkout` shows CPU at the limit?

## Resolution
- CPU throttling: raise `resources.limits.cpu` to 2 in k8s/checkout/deployment.yaml.

## Rollback
`helm rollback checkout`, then watch p99 for 10 minutes.

## Escalation
Page #payments-oncall; after 30 minutes escalate to the payments lead.
"""


@pytest.fixture
def operated(empty_repo):
    side = empty_repo
    side.flowops("init", "shop")
    side.flowops("task", "create", "Checkout service", "-l", "workflow:Validated")
    (side.root / "monitoring").mkdir()
    shutil.copy(ALERTS / "prometheus_rules.yml", side.root / "monitoring" / "alerts.yml")
    side.flowops("operate", "1", "--alerts", "monitoring/alerts.yml")
    return side


def test_backlog_md_lists_and_views_flowops_runbook_documents(operated):
    listed = operated.backlog("doc", "list", "--plain").stdout
    for line in ("doc-1 - Runbook: HighErrorRate", "doc-2 - Runbook: High Latency", "doc-3 - Runbook: CheckoutDown"):
        assert line in listed
    viewed = operated.backlog("doc", "view", "doc-2", "--plain").stdout
    assert "  - 'ops:runbook:high-latency'" in viewed and "## Diagnosis" in viewed


def test_a_runbook_rewritten_and_retitled_with_backlog_md_is_still_found(operated):
    operated.backlog("doc", "update", "doc-2", "--content", RUNBOOK)
    operated.backlog("doc", "update", "doc-2", "--title", "Checkout latency runbook")
    docs = sorted(p.name for p in (operated.root / "backlog" / "docs").glob("doc-*.md"))
    assert "doc-2 - Checkout-latency-runbook.md" in docs
    text = (operated.root / "backlog" / "docs" / "doc-2 - Checkout-latency-runbook.md").read_text()
    assert "ops:runbook:high-latency" in text.split("\n---\n", 1)[0]  # Backlog.md kept the tag
    status = operated.flowops_json("operate", "1", "--status", "--alerts", "monitoring/alerts.yml")
    assert status["runbooks"]["filled"] == 1 and "doc-2" not in status["runbooks"]["unfilled"]
    again = operated.flowops_json("operate", "1", "--alerts", "monitoring/alerts.yml")
    assert again["created"] == []
    assert {r["alert"]: r["doc_id"] for r in again["runbooks"]}["High Latency"] == "doc-2"
    assert len(list((operated.root / "backlog" / "docs").glob("doc-*.md"))) == 3
