"""Alertmanager notifications: one incident per alert group, with a correct timeline, linked to the alert's runbook."""

from __future__ import annotations

import copy

from flowops.incidents.lookup import load_incidents, postmortem_document
from flowops.incidents.model import group_label
from tests.incidents.conftest import RECEIVED, at, payload

GROUP_A = '{}/{service="checkout"}:{alertname="HighErrorRate", service="checkout"}'
FP1, FP2 = "5f1c0d0e2a3b4c5d", "a07e55c19b2f6d31"


def timeline(incident):
    return [(e.at.strftime("%H:%M:%S"), e.kind, e.by) for e in incident.entries]


def test_the_checkout_story_makes_exactly_two_incidents_with_correct_timelines(feed, backlog):
    outcomes = [feed(name) for name in RECEIVED]
    assert [o.action for o in outcomes] == ["opened", "repeat", "opened", "updated", "resolved", "resolved"]
    incidents = load_incidents(backlog).incidents
    assert [i.id for i in incidents] == ["TASK-2", "TASK-3"]
    errors, latency = incidents

    assert timeline(errors) == [
        ("08:47:12", "opened", "alertmanager"),
        ("08:47:12", "firing", "alertmanager"),
        ("08:48:02", "firing", "alertmanager"),
        ("09:00:00", "repeat", "alertmanager"),
        ("09:20:30", "alert-resolved", "alertmanager"),
        ("09:31:45", "resolved", "alertmanager"),
        ("09:32:15", "postmortem", "alertmanager"),
    ]
    assert errors.alert_states() == {FP1: "resolved", FP2: "resolved"}
    assert errors.opened_at == at("2026-11-02T08:47:12Z") and errors.resolved_at == at("2026-11-02T09:31:45Z")
    assert errors.acknowledged_at is None and errors.state == "resolved"
    assert errors.severity == "critical" and errors.task.priority == "high"
    assert errors.group == group_label(GROUP_A) and errors.alerts == ["high-error-rate"]
    assert errors.task.status == "To Do"  # nobody responded: Alertmanager's entries do not acknowledge
    assert "2 alerts firing in group" in errors.entries[0].text and "receiver payments-oncall" in errors.entries[0].text
    assert "(fingerprint 5f1c0d0e2a3b4c5d)" in errors.entries[1].text
    assert errors.entries[3].text == "notification repeated: 2 alerts still firing"

    assert timeline(latency) == [
        ("09:05:40", "opened", "alertmanager"),
        ("09:05:40", "firing", "alertmanager"),
        ("09:40:10", "resolved", "alertmanager"),
    ]
    # warning needs no postmortem by default: resolved means closed
    assert latency.state == "closed" and latency.task.status == "Done"
    assert outcomes[5].closed and [kind for kind, _t, _d in outcomes[5].events] == [
        "incident.resolved", "task.status_changed", "task.completed"]

    document = postmortem_document(backlog, "TASK-2")
    assert document is not None and document.id == "doc-4"
    assert backlog.get("TASK-2.1").labels == ["ops:postmortem"]


def test_a_repeat_notification_appends_and_never_duplicates(feed, backlog):
    feed("01_errors_firing.json")
    for minute in ("09:00", "09:12", "09:24"):
        assert feed("02_errors_repeat.json", now=f"2026-11-02T{minute}:00Z").action == "repeat"
    incidents = load_incidents(backlog).incidents
    assert len(incidents) == 1
    assert [e.kind for e in incidents[0].entries].count("repeat") == 3


def test_incidents_link_the_runbook_made_by_operate_and_quote_its_diagnosis(feed, backlog, ops_project):
    runbook = next((ops_project / "backlog" / "docs").glob("doc-1 - *.md"))
    text = runbook.read_text(encoding="utf-8")
    diagnosis = text.split("## Diagnosis", 1)[1].split("## Resolution", 1)[0]
    written = ("\n\n1. Check the error ratio per pod: `kubectl -n shop top pods -l app=checkout`.\n"
               "2. Compare with the last release: `kubectl -n shop rollout history deploy/checkout`.\n\n")
    runbook.write_text(text.replace(diagnosis, written), encoding="utf-8")

    outcome = feed("01_errors_firing.json")
    task = backlog.get(outcome.incident.id)
    assert task.documentation == ["backlog/docs/doc-1 - Runbook-HighErrorRate.md"]
    assert task.references == ["TASK-1"]  # the feature is the runbook task's parent
    link = "[Runbook: HighErrorRate](<backlog/docs/doc-1 - Runbook-HighErrorRate.md>)"
    assert f"start with {link} (doc-1), task TASK-1.5." in task.description
    assert "> 1. Check the error ratio per pod: `kubectl -n shop top pods -l app=checkout`." in task.description
    data = outcome.events[0][2]
    assert data["runbooks"] == [{"alert": "HighErrorRate", "task_id": "TASK-1.5", "doc_id": "doc-1"}]
    assert outcome.notes == []


def test_a_skeleton_runbook_is_linked_with_a_warning(feed, backlog):
    outcome = feed("03_latency_firing.json")
    assert outcome.notes == ["the runbook doc-2 of alert High Latency is not written yet (skeleton)"]
    assert "Its Diagnosis section is still skeleton" in backlog.get(outcome.incident.id).description


def test_an_alert_without_a_runbook_is_said_so(feed, backlog):
    data = payload("01_errors_firing.json")
    for alert in data["alerts"]:
        alert["labels"]["alertname"] = "DiskFull"
    data["commonLabels"]["alertname"] = "DiskFull"
    outcome = feed(data)
    assert outcome.notes == ["no runbook found for alert DiskFull (label ops:runbook:disk-full); "
                             "`flowops operate` creates one per alert"]
    assert backlog.get(outcome.incident.id).documentation == []


def test_a_new_alert_in_the_group_and_a_raised_severity_are_recorded(feed, backlog):
    feed("03_latency_firing.json")
    data = payload("03_latency_firing.json")
    second = copy.deepcopy(data["alerts"][0])
    second["labels"].update(severity="critical", region="eu-west-1")
    second["fingerprint"], second["startsAt"] = "77aa88bb99cc00dd", "2026-11-02T09:15:00Z"
    data["alerts"].append(second)
    data["commonLabels"].pop("severity")
    outcome = feed(data, now="2026-11-02T09:15:30Z")
    assert outcome.action == "updated"
    assert [(e.kind, e.at.strftime("%H:%M:%S")) for e in outcome.entries] == [("firing", "09:15:00"), ("severity", "09:15:30")]
    task = backlog.get(outcome.incident.id)
    assert "severity:critical" in task.labels and "severity:warning" not in task.labels and task.priority == "high"
    assert outcome.events[0][0] == "incident.updated" and outcome.events[0][2]["started"] == ["77aa88bb99cc00dd"]


def test_a_resolved_notification_without_an_open_incident_changes_nothing(feed, backlog, ops_project):
    before = sorted(p.name for p in (ops_project / "backlog" / "tasks").iterdir())
    outcome = feed("06_latency_resolved.json")
    assert outcome.action == "ignored" and outcome.incident is None
    assert "its firing notification never arrived" in outcome.notes[0]
    assert sorted(p.name for p in (ops_project / "backlog" / "tasks").iterdir()) == before
    feed("03_latency_firing.json")
    feed("06_latency_resolved.json")
    again = feed("06_latency_resolved.json", now="2026-11-02T09:45:00Z")
    assert again.action == "ignored" and "is closed already" in again.notes[0]


def test_firing_again_after_resolution_opens_a_new_incident_that_follows_the_first(feed, backlog):
    feed("01_errors_firing.json")
    feed("05_errors_resolved.json")
    data = payload("01_errors_firing.json")
    for alert in data["alerts"]:
        alert["startsAt"] = "2026-11-02T14:02:00Z"
    outcome = feed(data, now="2026-11-02T14:02:40Z")
    assert outcome.action == "opened" and outcome.incident.id == "TASK-3"
    assert "Follows TASK-2 of the same alert group (resolved)." in backlog.get("TASK-3").description
    assert outcome.events[0][2]["follows"] == "TASK-2"
    # the next notification of the group goes to the open one
    assert feed(data, now="2026-11-02T14:10:00Z").incident.id == "TASK-3"


def test_two_receivers_at_once_still_make_one_incident(feed, backlog):
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(4) as pool:
        actions = sorted(o.action for o in pool.map(lambda _n: feed("01_errors_firing.json"), range(4)))
    assert actions == ["opened", "repeat", "repeat", "repeat"]
    assert len(load_incidents(backlog).incidents) == 1
