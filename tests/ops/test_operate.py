"""Which existing tasks and documents serve a feature's operations items (flowops.ops.operate)."""

from __future__ import annotations

import pytest

from flowops.backlog.documents import Documents
from flowops.backlog.store import NewTask
from flowops.errors import BlockedError, UsageError
from flowops.ops.alerts import read_alerts
from flowops.ops.operate import OperateOptions, find_inventory, key_labels, resolve_entries, run_operate, survey
from flowops.ops.playbook import Playbook, PlaybookItem
from flowops.ops.runbooks import render_runbook_document, runbook_document_title
from flowops.workflow.loader import read_default

ITEM = PlaybookItem(key="cicd", title="CI/CD for {feature}", area="cicd", description="d", criteria=("`make` passes",))
PLAYBOOK = Playbook("sre", "d", (ITEM,), "sre")


def task(backlog, title, *labels, parent=None):
    return backlog.create(NewTask(title=title, labels=list(labels), parent=parent))


def test_key_labels_are_the_ops_labels_without_their_prefix():
    from flowops.backlog.model import Task

    assert key_labels(Task("TASK-1", "t", labels=["infrastructure", " ops:cicd ", "ops:", "ops:runbook:x"])) == [
        "cicd", "runbook:x"
    ]


def test_own_subtasks_win_over_parentless_tasks_and_other_features_never_count(backlog):
    feature = task(backlog, "Checkout")
    other = task(backlog, "Search")
    shared = task(backlog, "Project pipeline", "ops:cicd", "ops:kubernetes")
    task(backlog, "Search pipeline", "ops:cicd", "ops:slo", parent=other.id)
    own = task(backlog, "Checkout pipeline", "ops:cicd", parent=feature.id)
    inventory = find_inventory(backlog, feature)
    assert inventory.task_for("cicd").id == own.id
    assert inventory.task_for("kubernetes").id == shared.id
    assert inventory.task_for("slo") is None


def test_a_task_naming_the_feature_as_parent_is_its_own_even_without_a_subtask_id(backlog):
    feature = task(backlog, "Checkout")
    adopted = task(backlog, "Hand-made pipeline", "ops:cicd")
    backlog.update(adopted.id, lambda t: setattr(t, "parent_task_id", feature.id))
    assert find_inventory(backlog, feature).own["cicd"][0].id == adopted.id


def test_the_lowest_id_serves_and_the_others_are_duplicates(backlog):
    feature = task(backlog, "Checkout")
    first = task(backlog, "Pipeline", "ops:cicd", parent=feature.id)
    second = task(backlog, "Pipeline again", "ops:cicd", parent=feature.id)
    inventory = find_inventory(backlog, feature)
    assert inventory.task_for("cicd").id == first.id
    assert [(key, t.id) for key, t in inventory.duplicates()] == [("cicd", second.id)]


def test_completed_tasks_count_and_archived_ones_do_not(backlog):
    feature = task(backlog, "Checkout")
    done = task(backlog, "Pipeline", "ops:cicd", parent=feature.id)
    gone = task(backlog, "Cluster", "ops:kubernetes", parent=feature.id)
    backlog.complete(done.id)
    backlog.archive(gone.id)
    inventory = find_inventory(backlog, feature)
    assert inventory.task_for("cicd").folder == "completed"
    assert inventory.task_for("kubernetes") is None


def test_an_unreadable_task_file_is_a_warning_not_a_guess(backlog):
    feature = task(backlog, "Checkout")
    (backlog.dir / "tasks" / "task-9 - Broken.md").write_text("---\nid: TASK-9\nlabels: [ops:cicd\n---\n")
    inventory = find_inventory(backlog, feature)
    assert inventory.task_for("cicd") is None
    assert len(inventory.warnings) == 1 and "task-9 - Broken.md" in inventory.warnings[0]


def test_runbook_documents_are_found_by_the_key_in_their_body(backlog, alerts_dir):
    feature = task(backlog, "Checkout")
    alert = read_alerts(alerts_dir / "prometheus_rules.yml")[0]
    doc = Documents(backlog).create("Renamed by hand", type="guide", body=render_runbook_document(alert, feature.id, "x"))
    Documents(backlog).create("Unrelated", body="# Notes\n")
    inventory = find_inventory(backlog, feature)
    assert inventory.document_for(alert.label).id == doc.id
    assert list(inventory.documents) == [alert.label]


def test_a_runbook_task_is_orphaned_only_when_alert_files_were_read(backlog, alerts_dir):
    feature = task(backlog, "Checkout")
    alerts = read_alerts(alerts_dir / "prometheus_rules.yml")
    stale = task(backlog, "Runbook: Gone response", "ops:runbook:gone", parent=feature.id)
    inventory = find_inventory(backlog, feature)
    known = resolve_entries(feature, [(PLAYBOOK, ITEM)], alerts, inventory, alerts_known=True)
    unknown = resolve_entries(feature, [(PLAYBOOK, ITEM)], [], inventory, alerts_known=False)
    assert [(e.key, e.action) for e in known] == [
        ("cicd", "planned"), ("runbook:high-error-rate", "planned"), ("runbook:high-latency", "planned"),
        ("runbook:checkout-down", "planned"), ("runbook:gone", "orphaned"),
    ]
    assert known[-1].task.id == stale.id
    assert [(e.key, e.action) for e in unknown] == [("cicd", "planned"), ("runbook:gone", "other")]


def test_planned_titles_fill_in_the_feature(backlog):
    feature = task(backlog, "Checkout")
    [entry] = resolve_entries(feature, [(PLAYBOOK, ITEM)], [], find_inventory(backlog, feature), alerts_known=False)
    assert entry.title == "CI/CD for Checkout" and entry.label == "ops:cicd"


def test_survey_refuses_an_empty_playbook_selection(backlog, plugins_with):
    feature = task(backlog, "Checkout", "workflow:Validated")
    with pytest.raises(UsageError, match="no playbook selected"):
        survey(backlog, read_default(), plugins_with(), feature.id, [], [])


def test_run_creates_through_the_store_and_reports_events_in_order(backlog, plugins_with, alerts_dir):
    feature = task(backlog, "Checkout", "workflow:Validated")
    events = []
    options = OperateOptions(playbooks=["sre"], alert_files=[(alerts_dir / "prometheus_rules.yml", "rules.yml")])
    result = run_operate(backlog.project, backlog, read_default(), plugins_with(), feature.id, options,
                         emit=lambda kind, task_id, data, **_: events.append((kind, task_id)))
    assert len(result.created) == 7 and result.reused == []
    assert events[0] == ("operate.started", feature.id)
    assert [kind for kind, _ in events].count("task.created") == 7
    runbook_events = [task_id for kind, task_id in events if kind == "runbook.created"]
    assert runbook_events == ["TASK-1.5", "TASK-1.6", "TASK-1.7"]
    assert [d.title for d in Documents(backlog).list()[0]] == [runbook_document_title(a) for a in
                                                               read_alerts(alerts_dir / "prometheus_rules.yml")]


def test_a_blocked_run_raises_before_reading_anything_else(backlog, plugins_with):
    feature = task(backlog, "Checkout")
    with pytest.raises(BlockedError, match="requires Validated"):
        run_operate(backlog.project, backlog, read_default(), plugins_with(), feature.id, OperateOptions(playbooks=["sre"]))
    assert backlog.subtasks(feature) == []


def test_create_many_numbers_subtasks_after_every_used_id_archived_ones_included(backlog):
    feature = task(backlog, "Checkout")
    backlog.archive(task(backlog, "Old", parent=feature.id).id)
    made = backlog.create_many([NewTask(title=f"New {n}", parent=feature.id) for n in range(3)] + [NewTask(title="Top")])
    assert [t.id for t in made] == ["TASK-1.2", "TASK-1.3", "TASK-1.4", "TASK-2"]
    assert [t.id for t in backlog.subtasks(feature)] == ["TASK-1.2", "TASK-1.3", "TASK-1.4"]
