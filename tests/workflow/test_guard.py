import pytest

from flowops.errors import UsageError
from flowops.workflow.guard import check
from tests.workflow.helpers import parse


def test_operate_on_a_task_in_implementation_is_blocked_with_a_complete_message(default_config):
    decision = check(default_config, "operate", "In Implementation", task_id="TASK-7")
    assert not decision.allowed
    assert decision.required_states == ["Validated"]
    assert decision.runnable == ["validate"]
    lines = decision.message.splitlines()
    assert lines[0] == "/flow:operate is blocked for TASK-7: it is in In Implementation, but workflow 'operate' requires Validated."
    assert lines[1] == "Workflows that can run now: validate (/flow:validate)"
    assert 'flowops workflow advance operate TASK-7 --skip-state-check --reason "<why>"' in lines[2]


def test_workflows_that_can_run_now_are_sorted_by_name():
    config = parse(
        """\
        version: 1
        states: [New, Done]
        workflows:
          zap: {command: /z, input_states: [New], output_state: Done}
          archive: {command: /a, input_states: [New], output_state: Done}
          reopen: {command: /r, input_states: [Done], output_state: New}
        """
    )
    decision = check(config, "reopen", "New")
    assert decision.runnable == ["archive", "zap"]
    assert "Workflows that can run now: archive (/a), zap (/z)" in decision.message


def test_a_workflow_may_run_from_any_of_its_input_states(default_config):
    decision = check(default_config, "operate", "validated")
    assert decision.allowed and decision.current_state == "Validated" and decision.output_state == "Deployed"


def test_a_workflow_can_be_named_by_its_command(default_config):
    assert check(default_config, "/flow:validate", "In Implementation").allowed


def test_an_unknown_workflow_is_a_usage_error_listing_the_known_ones(default_config):
    with pytest.raises(UsageError) as info:
        check(default_config, "deploy", "Validated")
    assert "unknown workflow 'deploy'" in info.value.message
    assert "operate (/flow:operate)" in info.value.hint
