"""`flowops workflow status/check/advance/set` on a real backlog, through the CLI."""

import json

import pytest

from flowops.backlog.store import Backlog, NewTask, init_layout
from flowops.hookspecs import hookimpl
from flowops.project import Project
from tests.support.plugins import install_plugin  # noqa: F401 (a fixture)
from tests.support.state import audit_log


@pytest.fixture
def backlog(repo):
    init_layout(repo / "backlog", "shop")
    return Backlog(Project(repo))


def new_task(backlog, *labels, title="Checkout service"):
    return backlog.create(NewTask(title=title, labels=list(labels)))


def labels_of(backlog, task):
    return backlog.get(task.id).labels


def audit_events(repo, event_type):
    log = audit_log(repo)
    if not log.exists():
        return []
    records = [json.loads(line) for line in log.read_text().splitlines() if line.strip()]
    return [r["event"] for r in records if r.get("kind") == "event" and r["event"]["type"] == event_type]


class FreezeGuard:
    def __init__(self):
        self.asked = []

    @hookimpl
    def check_transition(self, task, from_state, to_state, workflow):
        self.asked.append((task.id, from_state, to_state, workflow))
        if to_state == "Deployed":
            return "change freeze until the release review"
        return None


class CrashingGuard:
    @hookimpl
    def check_transition(self, task, from_state, to_state, workflow):
        raise RuntimeError("cannot reach the freeze calendar")


def test_status_shows_state_runnable_workflows_and_next_states(flowops, backlog):
    task = new_task(backlog, "api", "workflow:in implementation")
    result = flowops(f"workflow status {task.id} --json")
    assert result.exit_code == 0, result
    status = json.loads(result.stdout)
    assert status["id"] == task.id and status["state"] == "In Implementation"
    assert status["label"] == "workflow:in implementation" and status["implicit"] is False
    assert [w["name"] for w in status["workflows"]] == ["validate"]
    assert status["next"] == [{"state": "Validated", "via": "validate"}, {"state": "Planned", "via": "rework"}]
    plain = flowops(f"workflow status {task.id} --plain").stdout
    assert "state: In Implementation" in plain
    assert "can run now: validate (/flow:validate) -> Validated" in plain


def test_a_task_without_a_workflow_label_is_in_the_first_state(flowops, backlog):
    task = new_task(backlog, "api")
    status = json.loads(flowops(f"workflow status {task.id} --json").stdout)
    assert status["state"] == "To Do" and status["implicit"] is True
    assert [w["name"] for w in status["workflows"]] == ["specify"]


def test_conflicting_state_labels_are_a_clear_error(flowops, backlog):
    task = new_task(backlog, "workflow:Planned", "workflow:Deployed")
    result = flowops(f"workflow status {task.id}")
    assert result.exit_code == 2
    assert "'workflow:Planned', 'workflow:Deployed' name different workflow states" in result.stderr


def test_an_unknown_task_is_a_runtime_failure(flowops, backlog):
    assert flowops("workflow status 999").exit_code == 1


def test_operate_on_a_task_in_implementation_is_blocked_with_exit_4(flowops, backlog):
    task = new_task(backlog, "workflow:In Implementation")
    before = task.path.read_bytes()
    result = flowops(f"workflow check operate {task.id}")
    assert result.exit_code == 4
    assert result.stderr.splitlines() == [
        f"error: /flow:operate is blocked for {task.id}: it is in In Implementation, but workflow 'operate' requires Validated.",
        "Workflows that can run now: validate (/flow:validate)",
        "To bypass the state check (emergencies only; recorded in the audit log): "
        f'flowops workflow advance operate {task.id} --skip-state-check --reason "<why>"',
    ]
    advance = flowops(f"workflow advance operate {task.id}")
    assert advance.exit_code == 4 and "/flow:operate is blocked" in advance.stderr
    assert task.path.read_bytes() == before


def test_check_passes_for_an_allowed_workflow_named_by_its_command(flowops, backlog):
    task = new_task(backlog, "workflow:In Implementation")
    result = flowops(f"workflow check /flow:validate {task.id} --json")
    assert result.exit_code == 0
    decision = json.loads(result.stdout)
    assert decision["allowed"] is True and decision["output_state"] == "Validated"


def test_an_unknown_workflow_is_a_usage_error(flowops, backlog):
    task = new_task(backlog)
    result = flowops(f"workflow check deploy {task.id}")
    assert result.exit_code == 2 and "unknown workflow 'deploy'" in result.stderr


def test_advance_moves_the_task_keeps_other_labels_and_emits_the_transition(flowops, backlog, repo):
    task = new_task(backlog, "api", "workflow:In Implementation", "payments")
    result = flowops(f"workflow advance validate {task.id}")
    assert result.exit_code == 0, result
    assert result.stdout.strip() == f"{task.id}: In Implementation -> Validated (via validate)"
    assert labels_of(backlog, task) == ["api", "workflow:Validated", "payments"]
    [event] = audit_events(repo, "workflow.transitioned")
    assert event["subject"] == task.id
    assert {k: event["data"][k] for k in ("from", "to", "workflow")} == {"from": "In Implementation", "to": "Validated", "workflow": "validate"}


def test_skip_state_check_without_a_reason_is_refused(flowops, backlog, repo):
    task = new_task(backlog, "workflow:In Implementation")
    before = task.path.read_bytes()
    result = flowops(f"workflow advance operate {task.id} --skip-state-check")
    assert result.exit_code == 2
    assert "--skip-state-check needs --reason" in result.stderr
    assert flowops(f'workflow advance operate {task.id} --skip-state-check --reason " "').exit_code == 2
    assert task.path.read_bytes() == before
    assert audit_events(repo, "workflow.transitioned") == []


def test_a_skipped_state_check_is_recorded_in_the_audit_log(flowops, backlog, repo):
    task = new_task(backlog, "workflow:In Implementation")
    result = flowops(f'workflow advance operate {task.id} --skip-state-check --reason "hotfix for INC-42" --json')
    assert result.exit_code == 0, result
    moved = json.loads(result.stdout)
    assert moved == {
        "id": task.id,
        "from": "In Implementation",
        "to": "Deployed",
        "via": "operate",
        "changed": True,
        "skipped_state_check": True,
        "reason": "hotfix for INC-42",
        "gates": [],
        "skipped_verification": [],
    }
    assert "state check skipped" in result.stderr
    assert labels_of(backlog, task) == ["workflow:Deployed"]
    [skipped] = audit_events(repo, "workflow.state_check_skipped")
    assert skipped["data"]["reason"] == "hotfix for INC-42"
    assert skipped["data"]["from"] == "In Implementation" and skipped["data"]["workflow"] == "operate"
    assert len(audit_events(repo, "workflow.transitioned")) == 1


def test_a_plugin_veto_refuses_the_transition_with_its_reason(flowops, backlog, repo, install_plugin):
    guard = install_plugin("freeze", FreezeGuard())
    task = new_task(backlog, "workflow:Validated")
    before = task.path.read_bytes()
    result = flowops(f"workflow advance operate {task.id}")
    assert result.exit_code == 4
    assert (
        f"plugin 'freeze' refused to move {task.id} from Validated to Deployed (workflow 'operate'): "
        "change freeze until the release review"
    ) in result.stderr
    assert guard.asked == [(task.id, "Validated", "Deployed", "operate")]
    assert task.path.read_bytes() == before
    assert audit_events(repo, "workflow.transitioned") == []
    assert flowops(f"workflow check operate {task.id}").exit_code == 4


def test_a_crashing_guard_plugin_is_named_and_the_move_goes_on(flowops, backlog, install_plugin):
    install_plugin("calendar", CrashingGuard())
    task = new_task(backlog, "workflow:Validated")
    result = flowops(f"workflow advance operate {task.id}")
    assert result.exit_code == 0, result
    assert "plugin 'calendar' failed in hook check_transition: RuntimeError: cannot reach the freeze calendar" in result.stderr
    assert labels_of(backlog, task) == ["workflow:Deployed"]


def test_a_guard_plugin_that_failed_to_load_is_named_when_a_move_is_refused(flowops, backlog, install_plugin):
    install_plugin("freeze", ImportError("No module named 'freeze_calendar'"))
    task = new_task(backlog, "workflow:Planned")
    for command in (f"workflow check operate {task.id}", f"workflow advance operate {task.id}"):
        result = flowops(command)
        assert result.exit_code == 4
        assert "plugin 'freeze' failed: ImportError: No module named 'freeze_calendar'" in result.stderr
    assert flowops(f"workflow status {task.id}").exit_code == 0


def test_set_moves_along_declared_rollback_and_refuses_undeclared_moves(flowops, backlog, repo):
    task = new_task(backlog, "workflow:Deployed")
    assert flowops(f"workflow set {task.id} validated --via rollback").exit_code == 0
    assert labels_of(backlog, task) == ["workflow:Validated"]
    events = audit_events(repo, "workflow.transitioned")
    assert events[-1]["data"]["workflow"] == "rollback"

    before = backlog.get(task.id).path.read_bytes()
    refused = flowops(f"workflow set {task.id} Done")
    assert refused.exit_code == 4
    assert "Declared moves from Validated: Deployed (via operate), In Implementation (via rework)" in refused.stderr
    assert backlog.get(task.id).path.read_bytes() == before


def test_set_via_must_be_manual_rework_or_rollback(flowops, backlog):
    task = new_task(backlog, "workflow:Planned")
    assert flowops(f"workflow set {task.id} 'In Implementation' --via implement").exit_code == 2


def test_a_custom_workflow_file_is_enforced(flowops, backlog, repo):
    (repo / ".flowops").mkdir(exist_ok=True)
    (repo / ".flowops" / "workflow.yml").write_text(
        "version: 1\n"
        "states: [Open, Shipped]\n"
        "workflows:\n"
        "  ship: {command: /ship, input_states: [Open], output_state: Shipped}\n"
        "transitions:\n"
        "  - {from: Open, to: Shipped, via: ship}\n"
    )
    task = new_task(backlog, "x")
    assert flowops(f"workflow advance ship {task.id}").exit_code == 0
    assert labels_of(backlog, task) == ["x", "workflow:Shipped"]
    assert flowops(f"workflow advance ship {task.id}").exit_code == 4
