import pytest

from flowops.errors import BlockedError, StoreError, UsageError
from flowops.events.emitter import no_emit
from flowops.hookspecs import hookimpl
from flowops.plugins import Plugins
from flowops.workflow.transitions import advance, check_task, set_state
from tests.workflow.helpers import MemoryBacklog, Recorder, task


class Veto:
    def __init__(self, reason=None, raises=False):
        self.reason = reason
        self.raises = raises
        self.calls = []

    @hookimpl
    def check_transition(self, task, from_state, to_state, workflow):
        self.calls.append((task.id, from_state, to_state, workflow))
        if self.raises:
            raise RuntimeError("guard crashed")
        return self.reason


def plugins_with(**named):
    plugins = Plugins()
    for name, plugin in named.items():
        plugins.register(plugin, name, builtin=False)
    return plugins


def test_advance_sets_the_output_state_and_emits_the_transition(default_config):
    backlog = MemoryBacklog(task(1, "api", "workflow:Validated", "infra"))
    events = Recorder()
    result = advance(backlog, default_config, "1", "operate", emit=events)
    assert result.changed and (result.from_state, result.to_state, result.via) == ("Validated", "Deployed", "operate")
    assert backlog.tasks["TASK-1"].labels == ["api", "workflow:Deployed", "infra"]
    assert events.events == [("workflow.transitioned", "TASK-1", {"from": "Validated", "to": "Deployed", "workflow": "operate"})]


def test_a_blocked_advance_writes_and_emits_nothing(default_config):
    backlog = MemoryBacklog(task(1, "workflow:In Implementation"))
    events = Recorder()
    with pytest.raises(BlockedError) as info:
        advance(backlog, default_config, "1", "operate", emit=events)
    assert info.value.exit_code == 4
    assert "requires Validated" in info.value.message
    assert backlog.writes == 0 and events.events == []


def test_skipping_the_state_check_needs_a_reason(default_config):
    backlog = MemoryBacklog(task(1, "workflow:In Implementation"))
    for reason in (None, "   "):
        with pytest.raises(UsageError):
            advance(backlog, default_config, "1", "operate", skip_state_check=True, reason=reason)
    assert backlog.writes == 0


def test_a_skipped_state_check_is_emitted_with_its_reason_before_the_transition(default_config):
    backlog = MemoryBacklog(task(1, "workflow:In Implementation"))
    events = Recorder()
    result = advance(backlog, default_config, "1", "operate", skip_state_check=True, reason=" hotfix INC-42 ", emit=events)
    assert result.skipped_state_check and result.reason == "hotfix INC-42"
    assert events.types == ["workflow.state_check_skipped", "workflow.transitioned"]
    skipped = events.events[0][2]
    assert skipped["reason"] == "hotfix INC-42" and skipped["from"] == "In Implementation"
    assert skipped["workflow"] == "operate" and skipped["required_states"] == ["Validated"]


def test_skip_on_an_allowed_move_bypasses_nothing_and_emits_no_skip_event(default_config):
    backlog = MemoryBacklog(task(1, "workflow:Validated"))
    events = Recorder()
    result = advance(backlog, default_config, "1", "operate", skip_state_check=True, reason="just in case", emit=events)
    assert not result.skipped_state_check
    assert events.types == ["workflow.transitioned"]


def test_a_plugin_veto_refuses_with_the_plugin_name_and_reason(default_config):
    backlog = MemoryBacklog(task(1, "workflow:Validated"))
    veto = Veto("change freeze until Monday")
    with pytest.raises(BlockedError) as info:
        advance(backlog, default_config, "1", "operate", plugins=plugins_with(freeze=veto))
    assert "plugin 'freeze' refused to move TASK-1 from Validated to Deployed" in info.value.message
    assert "change freeze until Monday" in info.value.message
    assert veto.calls == [("TASK-1", "Validated", "Deployed", "operate")]
    assert backlog.writes == 0


def test_an_empty_veto_still_refuses_and_says_no_reason_was_given(default_config):
    backlog = MemoryBacklog(task(1, "workflow:Validated"))
    with pytest.raises(BlockedError) as info:
        advance(backlog, default_config, "1", "operate", plugins=plugins_with(quiet=Veto("")))
    assert info.value.message.endswith("(workflow 'operate'): no reason given")
    assert backlog.writes == 0


def test_a_plugin_veto_also_applies_when_the_state_check_is_skipped(default_config):
    backlog = MemoryBacklog(task(1, "workflow:Planned"))
    with pytest.raises(BlockedError):
        advance(backlog, default_config, "1", "operate", skip_state_check=True, reason="x", plugins=plugins_with(f=Veto("no")))
    assert backlog.writes == 0


def test_a_raising_guard_plugin_is_reported_and_the_others_still_decide(default_config):
    backlog = MemoryBacklog(task(1, "workflow:Validated"))
    plugins = plugins_with(broken=Veto(raises=True), fine=Veto())
    result = advance(backlog, default_config, "1", "operate", plugins=plugins, emit=no_emit)
    assert result.changed
    assert result.warnings == ["plugin 'broken' failed in hook check_transition: RuntimeError: guard crashed"]


def test_a_move_made_by_someone_else_meanwhile_is_not_overwritten(default_config):
    backlog = MemoryBacklog(task(1, "workflow:Validated"))

    def someone_else(stored):
        stored.labels = ["workflow:Planned"]

    backlog.before_update = someone_else
    with pytest.raises(StoreError) as info:
        advance(backlog, default_config, "1", "operate")
    assert "moved from Validated to Planned while this command ran" in info.value.message
    assert backlog.tasks["TASK-1"].labels == ["workflow:Planned"]


def test_check_task_reports_a_plugin_veto_as_blocked(default_config):
    backlog = MemoryBacklog(task(1, "workflow:Validated"))
    decision = check_task(backlog, default_config, "1", "operate", plugins=plugins_with(freeze=Veto("frozen")))
    assert not decision.allowed and "frozen" in decision.message


def test_set_moves_along_a_declared_rollback(default_config):
    backlog = MemoryBacklog(task(1, "workflow:Deployed"))
    events = Recorder()
    result = set_state(backlog, default_config, "1", "validated", via="rollback", emit=events)
    assert result.to_state == "Validated" and backlog.tasks["TASK-1"].labels == ["workflow:Validated"]
    assert events.events[0][2] == {"from": "Deployed", "to": "Validated", "workflow": "rollback"}


def test_set_refuses_a_move_that_is_not_declared_and_lists_the_declared_ones(default_config):
    backlog = MemoryBacklog(task(1, "workflow:Planned"))
    with pytest.raises(BlockedError) as info:
        set_state(backlog, default_config, "1", "Done")
    assert "cannot move from Planned to Done via manual" in info.value.message
    assert "Declared moves from Planned: In Implementation (via implement)" in info.value.message
    assert backlog.writes == 0


def test_set_along_a_workflow_edge_points_to_advance(default_config):
    backlog = MemoryBacklog(task(1, "workflow:Planned"))
    with pytest.raises(BlockedError) as info:
        set_state(backlog, default_config, "1", "In Implementation")
    assert "flowops workflow advance implement TASK-1" in info.value.message


def test_set_with_the_wrong_kind_of_edge_names_the_right_one(default_config):
    backlog = MemoryBacklog(task(1, "workflow:Deployed"))
    with pytest.raises(BlockedError) as info:
        set_state(backlog, default_config, "1", "Validated", via="manual")
    assert "use --via rollback" in info.value.message


def test_set_to_the_current_state_changes_nothing(default_config):
    backlog = MemoryBacklog(task(1))
    events = Recorder()
    result = set_state(backlog, default_config, "1", "to do", emit=events)
    assert not result.changed and backlog.writes == 0 and events.events == []


def test_set_to_an_unknown_state_is_a_usage_error(default_config):
    with pytest.raises(UsageError) as info:
        set_state(MemoryBacklog(task(1)), default_config, "1", "Shipped")
    assert "To Do, Specified" in info.value.hint
