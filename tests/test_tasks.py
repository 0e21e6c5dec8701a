"""Task changes made through the library get the events and gates of `flowops task ...`.

A program that edits a task with ``flowops.tasks.edit_task`` (the domain function that
wraps ``Backlog.update``) meets the same Done gate (criteria, ``force``), the same
postmortem gate for incidents, and emits the same ``task.*`` events as the command line.
"""

from __future__ import annotations

import json

import pytest

from flowops.backlog.edit import TaskEdit
from flowops.backlog.store import NewTask, load_backlog
from flowops.errors import CriteriaNotMet
from flowops.tasks import archive_task, create_task, edit_task, update_task
from tests.support.state import audit_log


class Recorder:
    def __init__(self) -> None:
        self.events: list[tuple[str, str | None, dict]] = []

    def __call__(self, type, task_id, data=None, *, spec_id=None, files=()):
        self.events.append((type, task_id, dict(data or {})))

    @property
    def types(self) -> list[str]:
        return [event[0] for event in self.events]


@pytest.fixture
def backlog(repo, flowops, monkeypatch):
    assert flowops("init").exit_code == 0
    monkeypatch.chdir(repo)
    return load_backlog(repo)


def workflow_task(backlog, events) -> str:
    task = create_task(backlog, NewTask(title="Checkout", labels=["workflow:Deployed"],
                                        acceptance_criteria=["p99 below 300 ms", "alerts routed"]), emit=events)
    return task.id


def test_create_emits_task_created(backlog):
    events = Recorder()
    task = create_task(backlog, NewTask(title="Checkout", labels=["ops"]), emit=events)
    assert events.events == [("task.created", task.id, {"title": "Checkout", "status": "To Do", "labels": ["ops"],
                                                        "parent_task_id": None, "draft": False})]


def test_done_with_unchecked_criteria_is_refused_and_nothing_is_written_or_emitted(backlog):
    events = Recorder()
    task_id = workflow_task(backlog, events)
    events.events.clear()
    with pytest.raises(CriteriaNotMet) as info:
        edit_task(backlog, task_id, TaskEdit(status="Done"), emit=events)
    assert info.value.exit_code == 3
    assert [p.message for p in info.value.problems] == ["#1 p99 below 300 ms", "#2 alerts routed"]
    assert backlog.get(task_id).status == "To Do"
    assert events.events == []


def test_force_overrides_the_criteria_and_the_events_say_so(backlog):
    events = Recorder()
    task_id = workflow_task(backlog, events)
    events.events.clear()
    update = edit_task(backlog, task_id, TaskEdit(status="Done", check_ac=[1]), force=True, emit=events)
    assert update.after.status == "Done"
    assert events.types == ["task.updated", "task.status_changed", "task.completed", "task.ac_checked"]
    changed = events.events[1][2]
    assert changed == {"from": "To Do", "to": "Done", "forced": True, "unchecked_criteria": ["alerts routed"]}
    assert events.events[2][2] == {"title": "Checkout", "forced": True}
    assert events.events[3][2] == {"index": 1, "text": "p99 below 300 ms"}


def test_an_update_that_changes_nothing_emits_nothing(backlog):
    events = Recorder()
    task_id = workflow_task(backlog, events)
    events.events.clear()
    update = update_task(backlog, task_id, lambda task: None, emit=events)
    assert update.changed == [] and events.events == []


def test_an_incident_cannot_be_forced_to_done_before_it_is_resolved(backlog, flowops):
    opened = flowops("incident open 'Card payments fail' --severity critical --json")
    assert opened.exit_code == 0, opened
    incident_id = json.loads(opened.stdout)["incident"]["id"]
    events = Recorder()
    with pytest.raises(CriteriaNotMet) as info:
        edit_task(backlog, incident_id, TaskEdit(status="Done"), force=True, emit=events)
    assert any("is not resolved" in p.message for p in info.value.problems)
    assert events.events == []


def test_without_an_emitter_the_events_go_through_the_projects_bus(backlog, repo):
    """A library caller that passes no emitter gets what the CLI gets: recorded (and delivered) events."""
    task = create_task(backlog, NewTask(title="Checkout", acceptance_criteria=["one"]))
    edit_task(backlog, task.id, TaskEdit(check_ac=[1]))
    archive_task(backlog, task.id)
    records = [json.loads(line) for line in audit_log(repo).read_text().splitlines()]
    assert [r["event"]["type"] for r in records if r["kind"] == "event"] == [
        "task.created", "task.updated", "task.ac_checked", "task.archived"]
