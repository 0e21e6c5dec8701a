"""Opening by hand, notes, acknowledgement, resolution, postmortems and action items (domain calls)."""

from __future__ import annotations

import pytest

from flowops.errors import NotFoundError, UsageError
from flowops.incidents.lifecycle import (
    NewIncident,
    Resolution,
    acknowledge,
    add_note,
    create_action_items,
    incidents_lock,
    open_incident,
    resolve,
)
from flowops.incidents.lookup import children, get_incident, postmortem_document
from flowops.incidents.model import IncidentSettings
from flowops.incidents.postmortem import check_postmortem
from tests.incidents.conftest import at, write_postmortem

SETTINGS = IncidentSettings()


def open_by_hand(backlog, **fields):
    values = {"title": "Checkout returns 502 for card payments", "by": "sara", "severity": "critical",
              "alerts": ["HighErrorRate"]} | fields
    with incidents_lock(backlog):
        return open_incident(backlog.project, backlog, NewIncident(**values), now=at("2026-11-02T08:50:00Z"))


def test_an_incident_opened_by_hand_is_linked_acknowledged_and_in_progress(backlog):
    outcome = open_by_hand(backlog, assignees=["@sara"])
    task = backlog.get(outcome.incident.id)
    assert task.labels == ["ops:incident", "severity:critical", "alert:high-error-rate"]
    assert task.status == "In Progress" and task.priority == "high" and task.assignees == ["@sara"]
    assert task.references == ["TASK-1"] and task.documentation == ["backlog/docs/doc-1 - Runbook-HighErrorRate.md"]
    incident = get_incident(backlog, task.id)
    assert incident.acknowledged_at == incident.opened_at == at("2026-11-02T08:50:00Z")
    assert [kind for kind, _id, _data in outcome.events] == ["incident.opened"]
    assert outcome.events[0][2]["source"] == "manual" and outcome.events[0][2]["feature_id"] == "TASK-1"


def test_opening_checks_its_inputs(backlog):
    with pytest.raises(UsageError, match="needs a title"):
        open_by_hand(backlog, title="  ")
    with pytest.raises(NotFoundError):
        open_by_hand(backlog, feature="TASK-99")
    long = open_by_hand(backlog, title="Checkout " * 40, alerts=[])
    assert len(long.incident.title) <= 120 and long.incident.title.endswith("…")


def test_the_first_note_acknowledges_and_a_later_ack_changes_nothing(feed, backlog):
    incident_id = feed("01_errors_firing.json").incident.id
    first = add_note(backlog, incident_id, "looking at the payment pool", by="sara", now=at("2026-11-02T08:52:13Z"))
    assert [kind for kind, _id, _data in first.events] == ["incident.acknowledged", "incident.note_added"]
    assert first.events[0][2]["seconds_to_acknowledge"] == 301
    assert backlog.get(incident_id).status == "In Progress"
    second = add_note(backlog, incident_id, "rolled back\nto 2026.11.1", by="li", now=at("2026-11-02T09:18:00Z"))
    assert [kind for kind, _id, _data in second.events] == ["incident.note_added"]
    assert acknowledge(backlog, incident_id, by="li").action == "unchanged"
    notes = [e for e in get_incident(backlog, incident_id).entries if e.kind == "note"]
    assert [(n.by, n.text) for n in notes] == [("sara", "looking at the payment pool"), ("li", "rolled back\nto 2026.11.1")]
    with pytest.raises(UsageError, match="the note is empty"):
        add_note(backlog, incident_id, "   ", by="li")
    with pytest.raises(UsageError, match="over the 8192 allowed"):
        add_note(backlog, incident_id, "x" * 9000, by="li")


def test_ack_of_an_alertmanager_incident(feed, backlog):
    incident_id = feed("01_errors_firing.json").incident.id
    outcome = acknowledge(backlog, incident_id, by="sara", now=at("2026-11-02T08:49:12Z"))
    assert outcome.action == "acknowledged" and outcome.events[0][2]["seconds_to_acknowledge"] == 120
    with pytest.raises(NotFoundError, match="is not an incident"):
        acknowledge(backlog, "TASK-1", by="sara")


def test_resolving_creates_the_postmortem_once(feed, backlog, ops_project):
    incident_id = feed("01_errors_firing.json").incident.id
    outcome = resolve(backlog.project, backlog, incident_id,
                      Resolution(by="sara", at=at("2026-11-02T09:31:00Z"), summary="rolled back to 2026.11.1"), SETTINGS,
                      now=at("2026-11-02T09:35:00Z"))
    assert outcome.action == "resolved" and not outcome.closed
    assert [kind for kind, _id, _data in outcome.events] == ["incident.acknowledged", "incident.resolved",
                                                              "incident.postmortem_created"]
    assert outcome.events[1][2]["seconds_to_resolve"] == 2628 and outcome.events[1][2]["postmortem_required"] is True
    document = postmortem_document(backlog, incident_id)
    assert document.tags == ["postmortem", "incident:task-2"] and document.type == "other"
    body = document.body
    assert "| Severity | critical |" in body and "| Resolved | 2026-11-02T09:31:00Z (after 43 min) |" in body
    assert "- 2026-11-02T09:31:00Z [resolved sara] rolled back to 2026.11.1 (after 43 min)" in body
    assert len(check_postmortem(body)) == 8
    family = children(backlog, backlog.get(incident_id))
    assert [t.id for t in family.postmortem] == ["TASK-2.1"]
    assert backlog.get(incident_id).documentation[-1] == f"backlog/docs/{document.path.name}"
    again = resolve(backlog.project, backlog, incident_id, Resolution(by="sara"), SETTINGS)
    assert again.action == "unchanged" and again.events == [] and again.entries == []
    assert len(list((ops_project / "backlog" / "docs").glob("doc-*"))) == 4


def test_times_given_with_at_must_lie_between_opening_and_now(feed, backlog):
    incident_id = feed("01_errors_firing.json").incident.id
    with pytest.raises(UsageError, match="before TASK-2 was opened"):
        resolve(backlog.project, backlog, incident_id, Resolution(by="sara", at=at("2026-11-02T08:00:00Z")), SETTINGS)
    with pytest.raises(UsageError, match="is in the future"):
        add_note(backlog, incident_id, "later", by="sara", at=at("2026-11-02T10:00:00Z"), now=at("2026-11-02T09:00:00Z"))
    add_note(backlog, incident_id, "called payments", by="sara", at=at("2026-11-02T08:55:00Z"))
    assert get_incident(backlog, incident_id).acknowledged_at == at("2026-11-02T08:55:00Z")


def test_a_waived_or_exempt_incident_is_closed_on_resolution(feed, backlog):
    incident_id = feed("01_errors_firing.json").incident.id
    outcome = resolve(backlog.project, backlog, incident_id, Resolution(by="sara", waive="false alarm: probe hit a retired host"),
                      SETTINGS, now=at("2026-11-02T09:00:00Z"))
    assert outcome.closed and backlog.get(incident_id).status == "Done"
    assert postmortem_document(backlog, incident_id) is None
    assert "incident.postmortem_waived" in [kind for kind, _id, _data in outcome.events]
    with pytest.raises(UsageError, match="is closed"):
        add_note(backlog, incident_id, "one more thing", by="sara")

    other = open_by_hand(backlog, severity="SEV3", alerts=[]).incident.id
    settings = IncidentSettings(("sev3",))
    assert resolve(backlog.project, backlog, other, Resolution(by="li"), settings).closed


def test_postmortem_flag_asks_one_of_an_exempt_incident(feed, backlog):
    incident_id = feed("03_latency_firing.json").incident.id
    outcome = resolve(backlog.project, backlog, incident_id, Resolution(by="li", postmortem=True), SETTINGS)
    assert not outcome.closed and outcome.postmortem_doc is not None


def test_action_items_become_tasks_once_and_the_document_names_them(feed, backlog):
    incident_id = feed("01_errors_firing.json").incident.id
    resolve(backlog.project, backlog, incident_id, Resolution(by="sara"), SETTINGS)
    document = postmortem_document(backlog, incident_id)
    write_postmortem(document.path)
    result, outcome = create_action_items(backlog.project, backlog, incident_id)
    created = [task for _item, task, made in result.items if made]
    assert [(t.id, t.assignees, t.due_date, t.labels, t.parent_task_id) for t in created] == [
        ("TASK-2.2", ["@sara"], "2026-11-20", ["ops:action-item"], "TASK-2"),
        ("TASK-2.3", ["@li"], None, ["ops:action-item"], "TASK-2"),
    ]
    assert created[0].title == "Add a canary stage that rolls back when the 5xx ratio passes 0.5% @sara due 2026-11-20"
    text = document.path.read_text(encoding="utf-8")
    assert "due 2026-11-20 (TASK-2.2)\n" in text and "errors start @li (TASK-2.3)\n" in text
    assert outcome.events[0][0] == "incident.action_items_created"
    assert outcome.events[0][2]["task_ids"] == ["TASK-2.2", "TASK-2.3"]
    assert get_incident(backlog, incident_id).entries[-1].kind == "action-items"

    again, outcome = create_action_items(backlog.project, backlog, incident_id)
    assert outcome.action == "unchanged" and [task.id for _i, task, made in again.items] == ["TASK-2.2", "TASK-2.3"]
    # A line whose id was removed by hand still matches its task by title.
    document.path.write_text(text.replace(" (TASK-2.3)", ""), encoding="utf-8")
    again, _ = create_action_items(backlog.project, backlog, incident_id)
    assert [task.id for _i, task, made in again.items] == ["TASK-2.2", "TASK-2.3"] and not any(m for _i, _t, m in again.items)


def test_action_items_need_a_postmortem(feed, backlog):
    incident_id = feed("01_errors_firing.json").incident.id
    with pytest.raises(NotFoundError, match="has no postmortem document"):
        create_action_items(backlog.project, backlog, incident_id)
