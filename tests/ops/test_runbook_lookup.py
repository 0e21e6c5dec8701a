"""find_runbook: the runbook task and document `flowops operate` made for an alert, found by the alert's name."""

from __future__ import annotations

from flowops.backlog.store import Backlog
from flowops.ops.runbooks import find_runbook, runbook_label, section_text
from flowops.project import Project
from tests.incidents.conftest import make_ops_project


def test_the_runbook_of_an_alert_is_found_by_its_name(repo, flowops):
    backlog = Backlog(Project(make_ops_project(repo, flowops)))
    link = find_runbook(backlog, "HighErrorRate")
    assert (link.label, link.task.id, link.document.id) == ("ops:runbook:high-error-rate", "TASK-1.5", "doc-1")
    # Alertmanager may spell the name another way; the slug is the identity.
    assert find_runbook(backlog, "HighLatency").document.title == "Runbook: High Latency"
    missing = find_runbook(backlog, "DiskFull")
    assert (missing.task, missing.document, missing.label) == (None, None, runbook_label("DiskFull"))


def test_a_runbook_whose_body_was_replaced_is_found_through_its_task(repo, flowops):
    root = make_ops_project(repo, flowops)
    path = next((root / "backlog" / "docs").glob("doc-1 - *.md"))
    head = path.read_text(encoding="utf-8").split("\n---\n", 1)[0]
    path.write_text(head + "\n---\n# Our own runbook\n\n## Diagnosis\n\n1. kubectl -n shop get pods\n", encoding="utf-8")
    link = find_runbook(Backlog(Project(root)), "HighErrorRate")
    assert link.document.id == "doc-1"
    assert section_text(link.document.body, "Diagnosis") == "1. kubectl -n shop get pods"
    assert section_text(link.document.body, "Rollback") is None
