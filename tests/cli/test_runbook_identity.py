"""A runbook document keeps its link to its alert when its body is rewritten.

The identity (``ops:runbook:<slug>``) is a tag in the document's frontmatter, which an
edit of the body cannot remove and which Backlog.md keeps through its own edits. The
runbook task's reference to the document (its ``documentation`` entry, by document id)
is the second way to find it; the hidden line in the body, all that earlier versions
wrote, is still read.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

SECTIONS_FILLED = """# Checkout latency: what to do

## Symptoms
Checkout pages take more than 2 s; the "Checkout" dashboard latency panel is red.

## Diagnosis
1. `kubectl -n shop top pods -l app=checkout` shows CPU at the limit?
2. `kubectl -n shop logs deploy/checkout --since=15m | grep -c timeout`

## Resolution
- CPU throttling: raise `resources.limits.cpu` to 2 in k8s/checkout/deployment.yaml.

## Rollback
`helm rollback checkout` and watch p99 for 10 minutes.

## Escalation
Page #payments-oncall; after 30 minutes escalate to the payments lead.
"""


def docs(repo: Path) -> list[Path]:
    return sorted((repo / "backlog" / "docs").glob("doc-*.md"))


def latency_doc(repo: Path) -> Path:
    return next(p for p in docs(repo) if p.name.startswith("doc-2 "))


def replace_body(path: Path, body: str) -> None:
    """Keep the frontmatter, replace everything after it (what a person pasting a runbook does)."""
    text = path.read_text()
    front_end = text.index("\n---\n", 4) + len("\n---\n")
    path.write_text(text[:front_end] + body)


def status(flowops) -> dict:
    result = flowops("operate 1 --status --json --alerts monitoring/alerts.yml")
    assert result.exit_code == 0, result
    return json.loads(result.stdout)


def test_new_runbook_documents_carry_their_key_in_the_frontmatter(operated):
    text = latency_doc(operated).read_text()
    front = text.split("\n---\n", 1)[0] + "\n"
    assert "tags:\n  - runbook\n  - 'ops:runbook:high-latency'\n" in front


def test_a_runbook_whose_body_was_replaced_is_still_its_alerts_runbook(flowops, operated):
    replace_body(latency_doc(operated), SECTIONS_FILLED)
    report = status(flowops)
    assert report["runbooks"]["filled"] == 1
    assert "doc-2" not in report["runbooks"]["unfilled"]
    gaps = " ".join(gap["message"] for gap in report["gaps"])
    assert "no runbook document carries ops:runbook:high-latency" not in gaps
    rerun = flowops("operate 1 --json --alerts monitoring/alerts.yml")
    assert rerun.exit_code == 0, rerun
    data = json.loads(rerun.stdout)
    latency = next(r for r in data["runbooks"] if r["alert"] == "High Latency")
    assert (latency["doc_id"], latency["created"]) == ("doc-2", False)
    assert len(docs(operated)) == 3


def test_a_document_written_by_the_previous_version_is_found_by_its_body_line_and_tagged(flowops, operated):
    path = latency_doc(operated)
    legacy = re.sub(r"tags:\n(  - .*\n)+", "", path.read_text())
    path.write_text(legacy)
    assert "ops:runbook:high-latency" not in legacy.split("\n---\n", 1)[0]
    dry = flowops("operate 1 --dry-run --json --alerts monitoring/alerts.yml")
    assert json.loads(dry.stdout)["created"] == []
    assert path.read_text() == legacy  # a dry run writes nothing
    result = flowops("operate 1 --json --alerts monitoring/alerts.yml")
    assert result.exit_code == 0, result
    data = json.loads(result.stdout)
    assert data["created"] == [] and len(docs(operated)) == 3
    assert any("doc-2" in note and "ops:runbook:high-latency" in note for note in data["warnings"])
    assert "  - 'ops:runbook:high-latency'\n" in path.read_text().split("\n---\n", 1)[0] + "\n"


def test_a_document_without_tag_or_body_line_is_found_through_its_runbook_task(flowops, operated):
    path = latency_doc(operated)
    text = re.sub(r"tags:\n(  - .*\n)+", "", path.read_text())
    text = text.replace("<!-- flowops:ops:runbook:high-latency -->\n", "")
    path.write_text(text)
    # Renamed too (a new title renames the file): the task's path is stale, its document id is not.
    renamed = path.with_name("doc-2 - Latency-runbook.md")
    path.rename(renamed)
    report = status(flowops)
    latency = next(t for t in report["tasks"] if t["label"] == "ops:runbook:high-latency")
    assert latency["id"] == "TASK-1.6"
    gaps = " ".join(gap["message"] for gap in report["gaps"])
    assert "no runbook document carries ops:runbook:high-latency" not in gaps
    assert "runbook document doc-2 still has skeleton sections" in gaps
    assert flowops("operate 1 --alerts monitoring/alerts.yml").exit_code == 0
    assert len(docs(operated)) == 3


def test_the_frontmatter_key_wins_over_a_body_line_copied_from_another_runbook(flowops, operated):
    latency, down = latency_doc(operated), next(p for p in docs(operated) if p.name.startswith("doc-3 "))
    copied = down.read_text().split("\n---\n", 1)[1]  # CheckoutDown's body, with its hidden line
    replace_body(latency, copied)
    result = flowops("operate 1 --json --alerts monitoring/alerts.yml")
    assert result.exit_code == 0, result
    runbooks = {r["alert"]: r["doc_id"] for r in json.loads(result.stdout)["runbooks"]}
    assert runbooks == {"HighErrorRate": "doc-1", "High Latency": "doc-2", "CheckoutDown": "doc-3"}
