"""`flowops incident stats` on a generated history whose medians and p90s are known in advance."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from flowops.incidents.lifecycle import (
    Resolution,
    add_note,
    create_action_items,
    resolve,
)
from flowops.incidents.lookup import postmortem_document
from flowops.incidents.model import IncidentSettings
from flowops.incidents.stats import median, p90
from flowops.incidents.timeline import format_time
from tests.incidents.conftest import at, payload, write_postmortem

SEVERITY = {k: "critical" if k <= 6 else "warning" if k <= 9 else "info" for k in range(1, 11)}


def firing(k: int, opened) -> dict:
    data = payload("03_latency_firing.json")
    data["groupKey"] = f'{{}}:{{alertname="QueueBacklog", shard="{k}"}}'
    data["groupLabels"] = {"alertname": "QueueBacklog", "shard": str(k)}
    data["commonLabels"] = {"alertname": "QueueBacklog", "shard": str(k), "severity": SEVERITY[k]}
    alert = data["alerts"][0]
    alert["labels"] = dict(data["commonLabels"])
    alert["fingerprint"] = f"{k:016x}"
    alert["startsAt"] = format_time(opened)
    return data


@pytest.fixture
def history(feed, backlog):
    """Incident k (1..10) opened 2026-10-(k+1) 10:00Z; acknowledged after k minutes (k = 10: never);
    resolved after 10*k minutes. k <= 6 critical, 7..9 warning, 10 info. Postmortems: k = 1, 2
    finished with 2 action items each, k = 3 waived, k = 4..6 still skeleton."""
    settings = IncidentSettings()
    ids = {}
    for k in range(1, 11):
        opened = at(f"2026-10-{k + 1:02d}T10:00:00Z")
        data = firing(k, opened)
        ids[k] = feed(data, now=format_time(opened + timedelta(seconds=30))).incident.id
        if k == 10:
            data["status"] = data["alerts"][0]["status"] = "resolved"
            data["alerts"][0]["endsAt"] = format_time(opened + timedelta(minutes=100))
            assert feed(data, now=format_time(opened + timedelta(minutes=101))).action == "resolved"
            continue
        add_note(backlog, ids[k], "on it", by="sara", now=opened + timedelta(minutes=k))
        resolution = Resolution(by="sara", at=opened + timedelta(minutes=10 * k),
                                waive="duplicate of the queue incident" if k == 3 else None)
        resolve(backlog.project, backlog, ids[k], resolution, settings, now=opened + timedelta(minutes=10 * k + 1))
    for k, actions in ((1, ["Add a queue depth canary @sara due 2099-12-31", "Pin the consumer pool size @li"]),
                       (2, ["Review the queue runbook @li due 2020-01-01", "Load test the consumers @sara"])):
        write_postmortem(postmortem_document(backlog, ids[k]).path, actions=actions)
        create_action_items(backlog.project, backlog, ids[k])
    backlog.update(f"{ids[1]}.3", lambda task: setattr(task, "status", "Done"))
    return ids


def stats(flowops, args=""):
    result = flowops(f"incident stats --json {args}".strip())
    assert result.exit_code == 0, result
    return json.loads(result.stdout)


def test_the_weekly_numbers_of_a_known_history(history, flowops):
    data = stats(flowops)
    assert data["kind"] == "incident-stats" and data["incidents"] == 10
    assert data["by_severity"] == {"critical": 6, "info": 1, "warning": 3}
    assert data["by_state"] == {"closed": 5, "resolved": 5}  # warnings, info and the waived one are closed
    assert data["by_source"] == {"alertmanager": 10}
    assert data["top_alerts"] == [{"alert": "queue-backlog", "incidents": 10}]
    # acknowledged after 1..9 minutes: median the 5th, p90 the 9th (nearest rank of 9 values)
    assert data["time_to_acknowledge"] == {"count": 9, "median_seconds": 300.0, "p90_seconds": 540.0, "missing": 1}
    # resolved after 10..100 minutes: median between the 5th and 6th, p90 the 9th of 10
    assert data["time_to_resolve"] == {"count": 10, "median_seconds": 3300.0, "p90_seconds": 5400.0, "missing": 0}
    assert data["postmortems"] == {"due": 5, "finished": 2, "missing": 3, "waived": 1}
    items = data["action_items"]
    assert (items["total"], items["open"], items["overdue"]) == (4, 3, 1)
    assert [i["title"] for i in items["open_items"]] == [
        "Review the queue runbook @li due 2020-01-01",  # overdue first
        "Add a queue depth canary @sara due 2099-12-31",
        "Load test the consumers @sara",
    ]


def test_since_and_until_choose_the_period(history, flowops):
    data = stats(flowops, "--since 2026-10-05")  # incidents 4..10
    assert data["incidents"] == 7 and data["since"] == "2026-10-05T00:00:00Z"
    assert data["time_to_acknowledge"] == {"count": 6, "median_seconds": 390.0, "p90_seconds": 540.0, "missing": 1}
    assert data["time_to_resolve"] == {"count": 7, "median_seconds": 4200.0, "p90_seconds": 6000.0, "missing": 0}
    assert data["action_items"]["total"] == 0
    week = stats(flowops, "--since 2026-10-02 --until 2026-10-09")  # incidents 1..7
    assert week["incidents"] == 7 and week["by_severity"] == {"critical": 6, "warning": 1}
    assert stats(flowops, "--since 2030-01-01")["time_to_resolve"]["median_seconds"] is None


def test_the_text_report_reads_as_a_review(history, flowops):
    result = flowops("incident stats --since 2026-10-02")
    assert result.exit_code == 0, result
    lines = result.stdout.splitlines()
    assert lines[0] == "Incidents opened from 2026-10-02T00:00:00Z to now: 10"
    assert "Time to acknowledge: median 5 min, p90 9 min (9 incidents, 1 not yet)" in lines
    assert "Time to resolve: median 55 min, p90 1 h 30 min (10 incidents)" in lines
    assert "Postmortems: 2 of 5 due finished, 3 missing, 1 waived" in lines
    assert lines[-4:] == [
        "Action items: 3 open of 4, 1 overdue",
        "  TASK-3.2 [To Do] @li due 2020-01-01 Review the queue runbook @li due 2020-01-01",
        "  TASK-2.2 [To Do] @sara due 2099-12-31 Add a queue depth canary @sara due 2099-12-31",
        "  TASK-3.3 [To Do] @sara Load test the consumers @sara",
    ]


def test_bad_periods_are_usage_errors(flowops, ops_project):
    assert flowops("incident stats --since yesterday").exit_code == 2
    result = flowops("incident stats --since 2026-10-09 --until 2026-10-02")
    assert result.exit_code == 2 and "--until" in result.stderr
    assert stats(flowops, "--since 7d")["incidents"] == 0


@pytest.mark.parametrize(
    ("values", "expected_median", "expected_p90"),
    [([], None, None), ([5], 5, 5), ([1, 2], 1.5, 2), (list(range(1, 11)), 5.5, 9), (list(range(1, 21)), 10.5, 18),
     ([10, 1, 7, 3], 5.0, 10)],
)
def test_median_and_nearest_rank_p90(values, expected_median, expected_p90):
    assert median(values) == expected_median and p90(values) == expected_p90
