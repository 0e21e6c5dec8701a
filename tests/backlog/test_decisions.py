"""Decisions are written as Backlog.md writes them and read back."""

from __future__ import annotations

from flowops.backlog.decisions import Decisions, read_decision, render_new_decision
from flowops.backlog.model import Decision

# Written by `backlog decision create "Use Postgres"` (Backlog.md 1.52).
BACKLOG_MD = (b"---\nid: decision-1\ntitle: Use Postgres\ndate: '2026-11-22 03:58'\nstatus: proposed\n---\n"
              b"## Context\n\n\n\n## Decision\n\n\n\n## Consequences\n\n")


def test_a_new_decision_is_byte_identical_to_backlog_md(tmp_path):
    assert render_new_decision(Decision("decision-1", "Use Postgres", "2026-11-22 03:58", "proposed")) == BACKLOG_MD
    path = tmp_path / "decision-1 - Use-Postgres.md"
    path.write_bytes(BACKLOG_MD)
    decision = read_decision(path)
    assert (decision.id, decision.title, decision.date, decision.status) == ("decision-1", "Use Postgres", "2026-11-22 03:58", "proposed")


def test_decisions_are_numbered_and_listed(backlog_project):
    _project, backlog = backlog_project
    decisions = Decisions(backlog)
    first = decisions.create("Use Postgres")
    second = decisions.create("Adopt OpenTelemetry", status="accepted")
    assert (first.id, second.id) == ("decision-1", "decision-2")
    assert second.path.name == "decision-2 - Adopt-OpenTelemetry.md"
    listed, bad = decisions.list()
    assert [d.title for d in listed] == ["Use Postgres", "Adopt OpenTelemetry"] and not bad
    assert decisions.get("2").status == "accepted"
