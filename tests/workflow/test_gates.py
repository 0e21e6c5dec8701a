"""Gates in workflow.yml: declared on workflows and transitions, checked by name when the file is read."""

from __future__ import annotations

import pytest

from flowops.errors import ConfigError
from flowops.workflow.default import DEFAULT_WORKFLOW_YAML
from flowops.workflow.gates import check_gates, gates_for
from flowops.workflow.loader import read_default
from tests.workflow.helpers import parse, task

WITH_GATES = """
version: 1
states: [To Do, Validated, Deployed, Done]
workflows:
  validate:
    command: /flow:validate
    input_states: [To Do]
    output_state: Validated
    gates: [criteria_checked]
  operate:
    command: /flow:operate
    input_states: [Validated]
    output_state: Deployed
transitions:
  - {from: To Do, to: Validated, via: validate, gates: [criteria_verified]}
  - {from: Validated, to: Deployed, via: operate}
  - {from: Deployed, to: Done, via: manual, gates: [criteria_checked, "plugin:change-freeze"]}
"""


def test_gates_of_a_move_are_those_of_its_workflow_and_of_its_transition():
    config = parse(WITH_GATES)
    assert gates_for(config, "To Do", "Validated", "validate") == ("criteria_checked", "criteria_verified")
    assert gates_for(config, "Validated", "Deployed", "operate") == ()
    assert gates_for(config, "Deployed", "Done", "manual") == ("criteria_checked", "plugin:change-freeze")


def test_the_default_workflow_gates_validated_on_checked_and_verified_criteria():
    config = read_default()
    assert config.workflows["validate"].gates == ("criteria_checked", "criteria_verified")
    assert "gates: [criteria_checked, criteria_verified]" in DEFAULT_WORKFLOW_YAML


@pytest.mark.parametrize("gates, message", [
    ("[criteria_tickd]", "unknown gate 'criteria_tickd'"),
    ("criteria_checked", "must be a list of gates"),
    ('["plugin:"]', "unknown gate 'plugin:'"),
])
def test_an_unknown_gate_is_a_schema_error_naming_the_line(gates, message):
    text = WITH_GATES.replace("gates: [criteria_checked]\n", f"gates: {gates}\n")
    with pytest.raises(ConfigError) as refused:
        parse(text)
    (problem,) = refused.value.problems
    assert message in problem.message and problem.line == 9 and problem.field.startswith("workflows.validate.gates")


def test_criteria_checked_lists_each_unchecked_criterion():
    from flowops.backlog.sections import Criterion

    subject = task(1)
    subject.acceptance_criteria = [Criterion(1, "Login works", True), Criterion(2, "p95 below 200 ms", False)]
    found = check_gates(None, subject, ("criteria_checked",))
    (failure,) = found.failures
    assert failure.message == "criteria_checked: 1 of 2 acceptance criteria unchecked"
    assert failure.details == ["#2 p95 below 200 ms"]


def test_a_plugin_gate_needs_the_plugin_loaded_with_check_transition():
    from flowops.plugins import Plugins

    found = check_gates(None, task(1), ("plugin:change-freeze",), plugins=Plugins())
    assert [f.message for f in found.failures] == ["gate plugin:change-freeze: plugin 'change-freeze' is not loaded"]
