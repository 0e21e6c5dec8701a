"""The tool table: schemas derived from the click commands, and calls turned into command lines."""

from __future__ import annotations

import pytest

from flowops.errors import UsageError
from flowops.mcp_server.tools import (
    TOOLS,
    available_tools,
    command_line,
    command_of,
    get_tool,
    in_tool_terms,
    input_schema,
    params_of,
)

TASK_TOOLS = ["task_view", "task_edit", "workflow_status", "workflow_check", "workflow_advance", "operate",
              "operate_status", "operate_complete", "ac_check", "ac_lint"]


def tool(name):
    found = get_tool(name)
    assert found is not None, name
    return found


def test_every_row_whose_command_exists_is_a_tool_with_a_description_and_a_valid_schema():
    jsonschema = pytest.importorskip("jsonschema")
    names = [t.name for t in TOOLS]
    assert len(names) == len(set(names))
    for row in TOOLS:
        if command_of(row) is None:
            assert get_tool(row.name) is None
            continue
        schema = input_schema(row)  # raises for a row naming a parameter its command lacks
        assert get_tool(row.name) is row
        jsonschema.Draft202012Validator.check_schema(schema)
        assert schema["type"] == "object" and row.description
        for name, prop in schema["properties"].items():
            assert prop.get("description"), f"{row.name}.{name} has no description"
            assert name.isidentifier() and name == name.lower()


def test_the_task_argument_is_task_id_everywhere():
    for name in TASK_TOOLS:
        assert "task_id" in input_schema(tool(name))["properties"], name
    assert input_schema(tool("ac_lint"))["properties"]["task_id"]["type"] == "array"
    assert input_schema(tool("hooks_emit"))["properties"]["task_id"]["type"] == "string"


def test_schemas_follow_the_click_types():
    edit = input_schema(tool("task_edit"))["properties"]
    assert edit["priority"]["enum"] == ["high", "medium", "low"]
    assert edit["ordinal"]["type"] == "number"
    assert edit["due_date"] == {"description": "New due date. Format: YYYY-MM-DD.", "type": "string", "format": "date"}
    assert edit["force"]["type"] == "boolean"
    assert edit["depends_on"]["type"] == "array"  # --dep/--depends-on: the longest name
    assert input_schema(tool("task_list"))["properties"]["limit"] == {
        "description": "Show at most N tasks (after sorting).", "type": "integer", "minimum": 1}
    assert "hidden" not in str(input_schema(tool("task_create"))) and "acceptance_criteria" not in input_schema(
        tool("task_create"))["properties"]
    advance = input_schema(tool("workflow_advance"))["properties"]
    assert advance["skip_state_check"]["description"] == "Bypass the state guard (emergencies only; needs reason, audited)."


def test_a_call_becomes_a_command_line_where_no_value_is_read_as_an_option():
    argv = command_line(tool("task_edit"), {"task_id": "-h", "check_ac": [1, "2"], "notes": "--force",
                                            "force": False, "append_notes": "one paragraph"})
    assert argv == ["task", "edit", "--check-ac=1", "--check-ac=2", "--notes=--force", "--append-notes=one paragraph",
                    "--json", "--", "-h"]
    assert command_line(tool("operate_status"), {"task_id": 12}) == ["operate", "--status", "--json", "--", "12"]
    assert command_line(tool("ac_lint"), {"all": True}) == ["ac", "lint", "--all", "--json"]
    assert command_line(tool("hooks_emit"), {"type": "deploy.completed", "json_data": {"region": "eu"}}) == [
        "hooks", "emit", '--json-data={"region": "eu"}', "--json", "--", "deploy.completed"]


@pytest.mark.parametrize(("name", "arguments", "message"), [
    ("task_view", [], "task_view: arguments must be an object, not an array"),
    ("task_view", {"id": "1"}, "task_view: unknown argument 'id'"),
    ("task_edit", {"check_ac": [1]}, "task_edit: missing required argument 'task_id'"),
    ("task_edit", {"task_id": "1", "check_ac": [True]},
     "task_edit: argument 'check_ac' must be a list of integers, not a boolean true"),
    ("task_edit", {"task_id": "1", "force": "yes"}, "task_edit: argument 'force' must be a boolean, not a string \"yes\""),
    ("task_edit", {"task_id": "1", "ordinal": "soon"}, "task_edit: argument 'ordinal' must be a number, not a string \"soon\""),
    ("task_edit", {"task_id": "1", "title": {"a": 1}}, "task_edit: argument 'title' must be a string, not an object {\"a\": 1}"),
    ("task_edit", {"task_id": "1", "title": "a\x00b"}, "task_edit: argument 'title' contains a NUL character"),
])
def test_bad_arguments_are_usage_errors_naming_the_argument(name, arguments, message):
    with pytest.raises(UsageError) as caught:
        command_line(tool(name), arguments)
    assert caught.value.message == message
    assert caught.value.exit_code == 2


def test_null_means_left_out_and_plain_spellings_are_accepted():
    assert command_line(tool("task_list"), {"priority": None, "limit": "5", "all": "true"}) == [
        "task", "list", "--limit=5", "--all", "--json"]
    assert command_line(tool("task_edit"), {"task_id": "1", "check_ac": 2.0}) == [
        "task", "edit", "--check-ac=2", "--json", "--", "1"]


def test_click_messages_are_put_in_tool_terms():
    assert in_tool_terms(tool("task_edit"), "Invalid value for '--check-ac': 'x' is not a valid integer.") == (
        "Invalid value for 'check_ac': 'x' is not a valid integer.")
    assert in_tool_terms(tool("task_list"), "Invalid value for '-s' / '--status': nope") == "Invalid value for 'status': nope"
    assert in_tool_terms(tool("workflow_check"), "Missing argument 'WORKFLOW'.") == "Missing argument 'workflow'."


def test_only_names_parameters_the_command_has():
    for row in available_tools():
        assert params_of(row) or row.name == "discover", row.name


def test_a_row_naming_a_parameter_its_command_lacks_fails_loudly():
    from flowops.mcp_server.tools import Tool

    row = Tool("task_peek", ("task", "view"), "A row with a typo.", only=("task_id", "verbose"))
    with pytest.raises(LookupError, match="flowops task view has no parameter verbose"):
        params_of(row)
    assert command_of(Tool("later", ("no-such-group", "cmd"), "Not landed yet.")) is None
