"""docs/workflow.md must describe the commands and the default workflow the code has."""

from pathlib import Path

from flowops.cli.workflow import workflow_group
from flowops.workflow.loader import read_default

DOC = Path(__file__).resolve().parents[2] / "docs" / "workflow.md"


def test_every_workflow_command_has_a_row_in_the_command_table():
    text = DOC.read_text(encoding="utf-8")
    for name in workflow_group.commands:
        assert f"| `flowops workflow {name}" in text, f"docs/workflow.md has no table row for `flowops workflow {name}`"


def test_the_documented_default_workflow_is_the_built_in_one():
    text = DOC.read_text(encoding="utf-8")
    config = read_default()
    for workflow in config.workflows.values():
        row = f"| {workflow.name} | `{workflow.command}` | {', '.join(workflow.input_states)} | {workflow.output_state} |"
        assert row in text
    for transition in config.transitions:
        if transition.via not in config.workflows:
            assert f"| {transition.from_state} | {transition.to_state} | {transition.via} |" in text
    assert " -> ".join(config.states) in text
