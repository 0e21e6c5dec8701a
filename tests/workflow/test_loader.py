import pytest

from flowops.errors import ConfigError
from flowops.project import Project
from flowops.workflow import default_workflow_yaml
from flowops.workflow.loader import load_workflow, read_default, read_project_workflow
from flowops.workflow.validate import validate
from tests.workflow.helpers import parse

VALID = """\
version: 1
states: [Open, Closed]
workflows:
  close: {command: /flow:close, input_states: [Open], output_state: Closed}
transitions:
  - {from: Open, to: Closed, via: close}
"""


def test_default_workflow_is_the_documented_chain():
    config = read_default()
    assert config.states == ["To Do", "Specified", "Planned", "In Implementation", "Validated", "Deployed", "Done"]
    assert {name: w.command for name, w in config.workflows.items()} == {
        "specify": "/flow:specify",
        "plan": "/flow:plan",
        "implement": "/flow:implement",
        "validate": "/flow:validate",
        "operate": "/flow:operate",
    }
    assert config.workflows["operate"].input_states == ("Validated",)
    assert config.workflows["operate"].output_state == "Deployed"
    edges = {(t.from_state, t.to_state, t.via) for t in config.transitions}
    assert ("Deployed", "Validated", "rollback") in edges
    assert ("Deployed", "Done", "manual") in edges
    assert {t.to_state for t in config.transitions if t.via == "rework"} == {"Planned", "In Implementation"}
    assert config.is_default


def test_default_workflow_file_is_commented_and_has_no_problems():
    text = default_workflow_yaml()
    assert text.lstrip().startswith("#")
    assert validate(parse(text)) == []


def test_unknown_top_level_key_names_field_and_line():
    with pytest.raises(ConfigError) as info:
        parse(VALID + "colour: blue\n")
    [problem] = info.value.problems
    assert problem.field == "colour" and problem.line == 7
    assert "unknown key 'colour'" in problem.message


def test_unknown_workflow_key_names_field_and_line():
    text = VALID.replace("output_state: Closed}", "output_state: Closed, timeout: 5}")
    with pytest.raises(ConfigError) as info:
        parse(text)
    [problem] = info.value.problems
    assert problem.field == "workflows.close.timeout" and problem.line == 4


def test_every_schema_problem_is_reported_in_one_run():
    text = """\
    version: 2
    states:
      - Open
      - yes
    workflows:
      close:
        command: /flow:close
        input_states: Open
        output_state: Closed
    transitions:
      - {from: Open, to: Closed}
    """
    with pytest.raises(ConfigError) as info:
        parse(text)
    found = {(p.field, p.line) for p in info.value.problems}
    assert found == {
        ("version", 1),
        ("states[1]", 4),
        ("workflows.close.input_states", 8),
        ("transitions[0]", 11),
    }
    messages = " | ".join(p.message for p in info.value.problems)
    assert "unsupported version 2" in messages
    assert "quote it" in messages
    assert "missing required key 'via'" in messages


def test_missing_required_top_level_keys_are_named():
    with pytest.raises(ConfigError) as info:
        parse("version: 1\n")
    assert sorted(p.message for p in info.value.problems) == [
        "missing required key 'states'",
        "missing required key 'workflows'",
    ]


def test_reserved_transition_kinds_cannot_name_a_workflow():
    text = VALID.replace("  close:", "  rework:")
    with pytest.raises(ConfigError) as info:
        parse(text)
    assert "'rework' is reserved" in info.value.problems[0].message


def test_state_names_that_cannot_be_labels_are_refused():
    with pytest.raises(ConfigError) as info:
        parse(VALID.replace("[Open, Closed]", "[Open, 'Closed, really']"))
    assert "comma" in info.value.problems[0].message
    assert info.value.problems[0].field == "states[1]"


def test_yaml_syntax_error_names_the_line():
    with pytest.raises(ConfigError) as info:
        parse("version: 1\nstates:\n  - Open\n  bad: x\nworkflows: {}\n")
    assert info.value.line == 4 and "invalid YAML" in info.value.message


def test_absent_file_means_the_built_in_default(tmp_path):
    assert read_project_workflow(Project(tmp_path)).is_default


def test_project_file_wins_over_the_default(tmp_path):
    (tmp_path / ".flowops").mkdir()
    (tmp_path / ".flowops" / "workflow.yml").write_text(VALID)
    config = read_project_workflow(Project(tmp_path))
    assert config.states == ["Open", "Closed"]
    assert config.source == ".flowops/workflow.yml"


def test_enforcing_commands_refuse_a_workflow_with_semantic_errors(tmp_path):
    (tmp_path / ".flowops").mkdir()
    (tmp_path / ".flowops" / "workflow.yml").write_text(VALID.replace("output_state: Closed", "output_state: Shut"))
    with pytest.raises(ConfigError) as info:
        load_workflow(Project(tmp_path))
    assert info.value.exit_code == 2
    assert any("undefined state 'Shut'" in p.message and p.line == 4 for p in info.value.problems)


def test_a_project_workflow_that_passed_is_not_validated_again_until_it_changes(tmp_path):
    import subprocess
    import sys

    (tmp_path / ".flowops").mkdir()
    (tmp_path / ".flowops" / "workflow.yml").write_text(VALID, encoding="utf-8")
    code = ("import sys, pathlib; from flowops.project import Project; from flowops.workflow.loader import read_project_workflow;"
            "read_project_workflow(Project(pathlib.Path(sys.argv[1]))); print('jsonschema' in sys.modules)")

    def loads_jsonschema() -> bool:
        run = subprocess.run([sys.executable, "-c", code, str(tmp_path)], capture_output=True, text=True, check=True)
        return run.stdout.strip() == "True"

    assert loads_jsonschema()
    assert not loads_jsonschema()
    (tmp_path / ".flowops" / "workflow.yml").write_text(VALID + "colour: blue\n", encoding="utf-8")
    from flowops.project import Project
    from flowops.workflow.loader import read_project_workflow

    with pytest.raises(ConfigError):
        read_project_workflow(Project(tmp_path))
