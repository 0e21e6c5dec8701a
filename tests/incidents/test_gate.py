"""The postmortem gate on every path to Done: task edit, workflow set, workflow advance, incident resolve."""

from __future__ import annotations

import json

import pytest

from flowops.incidents.lookup import postmortem_document
from tests.incidents.conftest import write_postmortem

CLOSE_WORKFLOW = """
  close:
    command: /flow:close
    description: Close an incident once its postmortem is done
    input_states: [Deployed]
    output_state: Done
"""


@pytest.fixture
def resolved(feed, backlog, flowops):
    """TASK-2: an Alertmanager incident resolved by hand, with its skeleton postmortem doc-4 and task TASK-2.1."""
    incident_id = feed("01_errors_firing.json").incident.id
    assert flowops(f"incident resolve {incident_id} --by sara").exit_code == 0
    return incident_id


def finish(backlog, flowops, incident_id, actions=None):
    write_postmortem(postmortem_document(backlog, incident_id).path, actions=actions)
    result = flowops(f"incident actions {incident_id} --json")
    assert result.exit_code == 0, result


def test_task_edit_to_done_is_refused_until_the_postmortem_is_finished(resolved, backlog, flowops):
    refused = flowops(f"task edit {resolved} -s Done")
    assert refused.exit_code == 3, refused
    assert "TASK-2 cannot be Done: the incident is not finished (8 problems)" in refused.stderr
    path = postmortem_document(backlog, resolved).path
    line = next(n for n, text in enumerate(path.read_text().splitlines(), 1) if "Say what happened" in text)
    assert f"backlog/docs/{path.name}:{line}: skeleton left in 'Overview and impact'" in refused.stderr
    assert path.name == "doc-4 - Postmortem-TASK-2-HighErrorRate-More-than-1-of-checkout.md"
    assert backlog.get(resolved).status == "In Progress"
    forced = flowops(f"task edit {resolved} -s Done --force")
    assert forced.exit_code == 3, forced  # --force waives criteria, never the postmortem

    write_postmortem(postmortem_document(backlog, resolved).path)
    refused = flowops(f"task edit {resolved} -s Done")
    assert refused.exit_code == 3
    assert "(2 problems)" in refused.stderr
    assert "action item 'Add a canary stage that rolls back when the 5xx" in refused.stderr
    assert "…' has no task: run `flowops incident actions TASK-2`" in refused.stderr
    assert flowops(f"incident actions {resolved}").exit_code == 0
    done = flowops(f"task edit {resolved} -s Done")
    assert done.exit_code == 0, done
    assert backlog.get(resolved).status == "Done"


def test_an_unresolved_incident_cannot_be_done(feed, flowops):
    incident_id = feed("01_errors_firing.json").incident.id
    refused = flowops(f"task edit {incident_id} -s Done")
    assert refused.exit_code == 3
    assert f"{incident_id} is not resolved: run `flowops incident resolve {incident_id}`" in refused.stderr


def test_an_action_item_must_be_a_task_of_this_incident_and_not_archived(resolved, backlog, flowops):
    finish(backlog, flowops, resolved, actions=["Add a pool saturation alert @li (TASK-1)"])
    # TASK-1 is the feature, not an action item of the incident: `incident actions` made TASK-2.2 for it.
    assert flowops(f"task edit {resolved} -s Done").exit_code == 0
    assert flowops(f"task edit {resolved} -s 'In Progress'").exit_code == 0
    assert flowops("task archive TASK-2.2").exit_code == 0
    refused = flowops(f"task edit {resolved} -s Done")
    assert refused.exit_code == 3 and "is tracked by TASK-2.2, which was archived" in refused.stderr


def test_workflow_set_done_meets_the_gate_through_the_incidents_plugin(resolved, backlog, flowops):
    assert flowops(f"task edit {resolved} --add-label workflow:Deployed").exit_code == 0
    refused = flowops(f"workflow set {resolved} Done")
    assert refused.exit_code == 4, refused
    assert "plugin 'incidents' refused to move TASK-2 from Deployed to Done (via manual)" in refused.stderr
    assert "skeleton left in 'Root cause and contributing factors'" in refused.stderr
    finish(backlog, flowops, resolved)
    assert flowops(f"workflow set {resolved} Done").exit_code == 0


def test_workflow_advance_to_done_meets_the_gate(resolved, backlog, flowops, ops_project):
    workflow = ops_project / ".flowops" / "workflow.yml"
    text = workflow.read_text(encoding="utf-8")
    workflow.write_text(text.replace("\n# Every allowed move.", CLOSE_WORKFLOW + "\n# Every allowed move.")
                        .replace("  - {from: Deployed, to: Done, via: manual}", "  - {from: Deployed, to: Done, via: close}"),
                        encoding="utf-8")
    assert flowops("workflow validate").exit_code == 0
    assert flowops(f"task edit {resolved} --add-label workflow:Deployed").exit_code == 0
    check = flowops(f"workflow check close {resolved} --json")
    assert check.exit_code == 4 and "plugin 'incidents' refused" in json.loads(check.stdout)["message"]
    assert flowops(f"workflow advance close {resolved}").exit_code == 4
    finish(backlog, flowops, resolved)
    assert flowops(f"workflow advance close {resolved}").exit_code == 0


def test_the_postmortem_task_is_held_to_the_same_document(resolved, backlog, flowops):
    refused = flowops("task edit TASK-2.1 --check-ac 1 --check-ac 2 -s Done")
    assert refused.exit_code == 3 and "TASK-2.1 cannot be Done: the postmortem task is not finished" in refused.stderr
    finish(backlog, flowops, resolved)
    assert flowops("task edit TASK-2.1 --check-ac 1 --check-ac 2 -s Done").exit_code == 0


def test_severities_without_postmortem_come_from_the_config(feed, backlog, flowops, ops_project):
    (ops_project / ".flowops" / "config.toml").write_text('[incidents]\nno_postmortem_severities = ["critical"]\n',
                                                         encoding="utf-8")
    incident_id = feed("01_errors_firing.json").incident.id
    result = flowops(f"incident resolve {incident_id} --json")
    assert result.exit_code == 0, result
    data = json.loads(result.stdout)
    assert data["closed"] is True and data["postmortem"] is None and backlog.get(incident_id).status == "Done"
    # warning is no longer exempt with this setting
    latency = feed("03_latency_firing.json").incident.id
    assert flowops(f"incident resolve {latency}").exit_code == 0
    assert postmortem_document(backlog, latency) is not None
    assert flowops(f"task edit {latency} -s Done").exit_code == 3


def test_a_bad_setting_is_a_config_error(feed, flowops, ops_project):
    (ops_project / ".flowops" / "config.toml").write_text('[incidents]\nno_postmortem_severities = "info"\n', encoding="utf-8")
    result = flowops("incident list")
    assert result.exit_code == 2 and "'incidents.no_postmortem_severities' must be a list of severities" in result.stderr


def test_other_tasks_are_not_touched_by_the_gate(flowops, backlog):
    assert flowops("task edit TASK-1.1 -s Done --force").exit_code == 0
