import pytest
from hypothesis import given
from hypothesis import strategies as st

from flowops.errors import ConfigError
from flowops.workflow.state import state_of, with_state


def test_a_task_without_a_workflow_label_is_in_the_first_state(default_config):
    assert state_of(["backend", "ops:cicd"], default_config) == "To Do"


def test_labels_match_case_insensitively_and_trimmed_to_the_canonical_name(default_config):
    assert state_of(["  WORKFLOW: in implementation  "], default_config) == "In Implementation"


def test_the_same_state_twice_is_not_ambiguous(default_config):
    assert state_of(["workflow:Validated", "workflow:validated"], default_config) == "Validated"


def test_two_different_states_are_an_error_naming_both(default_config):
    with pytest.raises(ConfigError) as info:
        state_of(["workflow:Planned", "x", "workflow:Deployed"], default_config, task="TASK-3")
    message = str(info.value)
    assert "task TASK-3" in message
    assert "'workflow:Planned'" in message and "'workflow:Deployed'" in message


def test_an_unknown_state_is_an_error_naming_it_and_the_known_states(default_config):
    with pytest.raises(ConfigError) as info:
        state_of(["workflow:Shipped"], default_config)
    assert "unknown workflow state 'Shipped'" in info.value.message
    assert "To Do, Specified, Planned, In Implementation, Validated, Deployed, Done" in info.value.hint


def test_an_empty_workflow_label_is_an_unknown_state(default_config):
    with pytest.raises(ConfigError):
        state_of(["workflow:"], default_config)


def test_with_state_replaces_the_label_in_place_and_keeps_the_others_in_order():
    assert with_state(["a", "Workflow:planned", "b"], "In Implementation") == ["a", "workflow:In Implementation", "b"]


def test_with_state_adds_the_label_last_when_there_is_none():
    assert with_state(["a", "b"], "Specified") == ["a", "b", "workflow:Specified"]


def test_with_state_leaves_exactly_one_workflow_label():
    assert with_state(["workflow:To Do", "a", "workflow:to do"], "Done") == ["workflow:Done", "a"]


other_labels = st.lists(st.text(min_size=1).filter(lambda s: not s.strip().lower().startswith("workflow:")), max_size=6)


@given(labels=other_labels, position=st.integers(min_value=0, max_value=6), state_index=st.integers(min_value=0, max_value=6))
def test_writing_a_state_then_reading_it_round_trips(labels, position, state_index):
    from flowops.workflow.loader import read_default

    config = read_default()
    old = config.states[(state_index + 3) % len(config.states)]
    before = labels[:position] + [f"workflow:{old.lower()}"] + labels[position:]
    state = config.states[state_index]
    after = with_state(before, state)
    assert state_of(after, config) == state
    assert [label for label in after if not label.startswith("workflow:")] == labels
