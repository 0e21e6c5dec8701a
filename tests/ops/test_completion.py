"""The completion gate (flowops.ops.completion): what keeps a feature from being Deployed."""

from __future__ import annotations

import pytest

from flowops.backlog.documents import Documents
from flowops.backlog.model import Task
from flowops.backlog.store import NewTask
from flowops.errors import CriteriaNotMet, UsageError
from flowops.ops.alerts import read_alerts
from flowops.ops.completion import complete, find_gaps, is_done, repository_files
from flowops.ops.operate import OperateOptions, survey
from flowops.ops.runbooks import render_runbook_document
from flowops.project import Project
from flowops.workflow.loader import read_default
from tests.support.runbooks import written


@pytest.fixture
def feature(backlog):
    return backlog.create(NewTask(title="Checkout", labels=["workflow:Validated"]))


def ops_task(backlog, feature, key, *criteria, status=None):
    return backlog.create(NewTask(title=f"Work on {key}", labels=[f"ops:{key}"], parent=feature.id, status=status,
                                  acceptance_criteria=list(criteria) or ["`make check` passes"]))


def check_all(backlog, task_id, status="Done"):
    def mutate(task):
        for criterion in task.acceptance_criteria:
            criterion.checked = True
        task.status = status

    backlog.update(task_id, mutate)


def gaps(backlog, plugins, feature, playbooks=("sre",), alert_files=()):
    found = survey(backlog, read_default(), plugins, feature.id, list(playbooks), list(alert_files))
    return [gap.message for gap in find_gaps(found, backlog.config.done_status)]


def test_done_is_the_backlog_done_status_in_any_case_or_the_completed_folder():
    assert is_done(Task("TASK-1", "t", status="done"), "Done")
    assert is_done(Task("TASK-1", "t", status="In Progress", folder="completed"), "Done")
    assert not is_done(Task("TASK-1", "t", status="In Progress"), "Done")


def test_every_selected_item_needs_a_task(backlog, feature, plugins_with):
    messages = gaps(backlog, plugins_with(), feature)
    assert messages[0] == "no task for ops:cicd (playbook sre): run `flowops operate TASK-1` first"
    assert len(messages) == 4


def test_a_done_task_with_an_unchecked_criterion_is_a_gap(backlog, feature, plugins_with):
    for key in ("cicd", "kubernetes", "observability", "slo"):
        created = ops_task(backlog, feature, key, "`make a` passes", "`make b` passes")
        check_all(backlog, created.id)
    backlog.update("TASK-1.2", lambda t: setattr(t.acceptance_criteria[1], "checked", False))
    assert gaps(backlog, plugins_with(), feature) == [
        "TASK-1.2 (ops:kubernetes) acceptance criteria #2 unchecked (1 of 2)"
    ]


def test_other_own_ops_tasks_and_duplicates_are_required_too(backlog, feature, plugins_with):
    for key in ("cicd", "kubernetes", "observability", "slo"):
        check_all(backlog, ops_task(backlog, feature, key).id)
    extra = ops_task(backlog, feature, "mlops:data-drift")
    duplicate = ops_task(backlog, feature, "cicd")
    assert gaps(backlog, plugins_with(), feature) == [
        f"{extra.id} (ops:mlops:data-drift) is To Do, not Done; acceptance criteria #1 unchecked (1 of 1)",
        f"{duplicate.id} (ops:cicd) is To Do, not Done; acceptance criteria #1 unchecked (1 of 1)",
    ]


def test_a_runbook_task_without_its_document_is_a_gap_and_an_orphan_is_not(backlog, feature, plugins_with, alerts_dir):
    rules = alerts_dir / "prometheus_rules.yml"
    ids = {}
    for key in ("runbook:high-error-rate", "runbook:high-latency", "runbook:checkout-down", "runbook:retired"):
        ids[key] = ops_task(backlog, feature, key).id
        check_all(backlog, ids[key])
    messages = gaps(backlog, plugins_with(), feature, playbooks=("mlops",), alert_files=[(rules, "rules.yml")])
    runbook_gaps = [m for m in messages if "runbook" in m]
    assert runbook_gaps == [
        f"{ids['runbook:high-error-rate']} (ops:runbook:high-error-rate): no runbook document carries ops:runbook:high-error-rate",
        f"{ids['runbook:high-latency']} (ops:runbook:high-latency): no runbook document carries ops:runbook:high-latency",
        f"{ids['runbook:checkout-down']} (ops:runbook:checkout-down): no runbook document carries ops:runbook:checkout-down",
    ]
    without_files = gaps(backlog, plugins_with(), feature, playbooks=("mlops",))
    assert f"{ids['runbook:retired']} (ops:runbook:retired): no runbook document carries ops:runbook:retired" in without_files


def test_a_refusal_raises_criteria_not_met_and_moves_nothing(backlog, feature, plugins_with):
    with pytest.raises(CriteriaNotMet) as refused:
        complete(backlog.project, backlog, read_default(), plugins_with(), feature.id, OperateOptions(playbooks=["sre"]))
    assert refused.value.exit_code == 3 and len(refused.value.problems) == 4
    assert backlog.get(feature.id).labels == ["workflow:Validated"]


def test_completion_moves_the_feature_and_emits_in_order(backlog, feature, plugins_with):
    for key in ("cicd", "kubernetes", "observability", "slo"):
        check_all(backlog, ops_task(backlog, feature, key).id)
    events = []
    result = complete(backlog.project, backlog, read_default(), plugins_with(), feature.id, OperateOptions(playbooks=["sre"]),
                      spec_id="checkout", files=["k8s"], emit=lambda kind, task_id, data, **kw: events.append((kind, kw)))
    assert result.transition.to_state == "Deployed"
    assert backlog.get(feature.id).labels == ["workflow:Deployed"]
    assert [kind for kind, _ in events] == ["workflow.transitioned", "deploy.completed", "operate.completed"]
    assert events[1][1] == {"spec_id": "checkout", "files": ["k8s"]}


def test_repository_files_are_relative_to_the_root_and_stay_inside_it(tmp_path):
    project = Project(tmp_path)
    assert repository_files(project, ["k8s/", "./k8s", str(tmp_path / "ci.yml")]) == ["k8s", "ci.yml"]
    with pytest.raises(UsageError, match="outside the repository"):
        repository_files(project, ["../elsewhere"])


def test_runbook_documents_with_every_section_written_pass(backlog, feature, plugins_with, alerts_dir):
    rules = alerts_dir / "prometheus_rules.yml"
    for alert in read_alerts(rules):
        check_all(backlog, ops_task(backlog, feature, alert.key).id)
        body = written(render_runbook_document(alert, feature.id, feature.title))
        Documents(backlog).create(f"Runbook: {alert.name}", type="guide", body=body)
    messages = gaps(backlog, plugins_with(), feature, playbooks=("mlops",), alert_files=[(rules, "rules.yml")])
    assert not [m for m in messages if "runbook" in m]


def test_runbooks_whose_todo_markers_were_only_deleted_are_still_skeleton(backlog, feature, plugins_with, alerts_dir):
    rules = alerts_dir / "prometheus_rules.yml"
    for alert in read_alerts(rules):
        check_all(backlog, ops_task(backlog, feature, alert.key).id)
        body = render_runbook_document(alert, feature.id, feature.title).replace("TODO(runbook): ", "")
        Documents(backlog).create(f"Runbook: {alert.name}", type="guide", body=body)
    messages = gaps(backlog, plugins_with(), feature, playbooks=("mlops",), alert_files=[(rules, "rules.yml")])
    assert [m for m in messages if "runbook document" in m] == [
        f"TASK-1.{n} (ops:runbook:{slug}): runbook document doc-{n} still has skeleton sections: Symptoms, Diagnosis, "
        "Resolution, Rollback, Escalation" for n, slug in enumerate(["high-error-rate", "high-latency", "checkout-down"], 1)]
