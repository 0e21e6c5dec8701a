"""Incidents and postmortems written by flowops, read and edited by the real Backlog.md CLI, and back."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

pytestmark = pytest.mark.interop

DATA = Path(__file__).resolve().parents[1] / "data"
PAYLOADS = DATA / "alertmanager"


@pytest.fixture
def incident_side(side):
    """A Backlog.md repository where flowops operated TASK-1 and Alertmanager opened TASK-2 (HighErrorRate)."""
    side.flowops("init")
    side.flowops("task", "create", "Checkout service", "-l", "workflow:Validated")
    (side.root / "monitoring").mkdir()
    shutil.copy(DATA / "alerts" / "prometheus_rules.yml", side.root / "monitoring" / "alerts.yml")
    side.flowops("operate", "1", "--alerts", "monitoring/alerts.yml")
    side.flowops("incident", "from-alertmanager", str(PAYLOADS / "01_errors_firing.json"))
    return side


def test_backlog_md_reads_the_incident_and_keeps_timeline_and_labels_through_its_edits(incident_side):
    side = incident_side
    view = side.backlog_json("task", "view", "TASK-2")["task"]
    assert view["labels"][:3] == ["ops:incident", "severity:critical", "alert:high-error-rate"]
    assert view["labels"][3].startswith("alert-group:") and view["priority"] == "high"
    path = side.task_file("TASK-2")
    timeline = path.read_text(encoding="utf-8").split("## Timeline", 1)[1]

    side.backlog("task", "edit", "TASK-2", "-s", "In Progress", "--append-notes", "paged payments", "-a", "@sara")
    text = path.read_text(encoding="utf-8")
    assert timeline.strip() in text and "paged payments" in text

    # The group label survived: the repeat goes to the same incident, its timeline grows.
    repeat = side.flowops_json("incident", "from-alertmanager", str(PAYLOADS / "02_errors_repeat.json"))
    assert repeat["action"] == "repeat" and repeat["incident"]["id"] == "TASK-2"
    shown = side.flowops_json("incident", "show", "TASK-2")["incident"]
    assert [e["kind"] for e in shown["timeline"]] == ["opened", "firing", "firing", "repeat"]
    assert shown["status"] == "In Progress" and shown["assignees"] == ["@sara"]
    assert side.backlog_json("task", "view", "TASK-2")["task"]["implementationNotes"] == "paged payments"


def test_a_postmortem_written_with_backlog_md_passes_the_gate(incident_side):
    side = incident_side
    side.flowops("incident", "resolve", "TASK-2", "--by", "sara")
    docs = side.backlog("doc", "list", "--plain").stdout
    assert "doc-4 - Postmortem: TASK-2 HighErrorRate: More than 1% of checkout" in docs
    refused = side.flowops("task", "edit", "TASK-2", "-s", "Done", check=False)
    assert refused.returncode == 3 and "skeleton left" in refused.stderr

    body = (
        "## Overview and impact\n\nFor 44 minutes 3.1% of checkout requests failed.\n\n"
        "## Timeline\n\n- 08:47 fired; 09:18 rolled back.\n\n"
        "## Root cause and contributing factors\n\nThe pool size default changed with the client upgrade.\n\n"
        "## What went well\n\nThe runbook pointed at the payment dependency.\n\n"
        "## Lessons learned\n\nPin defaults that matter.\n\n"
        "## Action items\n\n- [ ] Pin the pool size in values.yaml @li due 2099-01-31\n"
    )
    side.backlog("doc", "update", "doc-4", "--content", body)
    listed = side.flowops_json("incident", "actions", "TASK-2")
    assert [(i["task_id"], i["created"]) for i in listed["items"]] == [("TASK-2.2", True)]
    action = side.backlog_json("task", "view", "TASK-2.2")["task"]
    assert action["labels"] == ["ops:action-item"] and action["parentTaskId"] == "TASK-2"
    side.flowops("task", "edit", "TASK-2", "-s", "Done")
    assert side.backlog_json("task", "view", "TASK-2")["task"]["status"] == "Done"
    tags = json.loads(side.flowops("doc", "view", "doc-4", "--json").stdout)["document"]["tags"]
    assert tags == ["postmortem", "incident:task-2"]
