import json

from flowops.workflow import default_workflow_yaml

BROKEN = """\
version: 1
states: [Open, Doing, Closed]
workflows:
  start: {command: /flow:start, input_states: [Open], output_state: Doing}
transitions:
  - {from: Open, to: Doing, via: start}
  - {from: Doing, to: Closed, via: manual}
  - {from: Closed, to: Doing, via: manual}
"""


def write_workflow(repo, text):
    (repo / ".flowops").mkdir(exist_ok=True)
    (repo / ".flowops" / "workflow.yml").write_text(text)


def test_without_a_file_the_built_in_default_is_valid(flowops):
    result = flowops("workflow validate --plain")
    assert result.exit_code == 0
    assert result.stdout.splitlines() == [
        ".flowops/workflow.yml does not exist; the built-in default workflow applies",
        "built-in default: valid",
    ]


def test_the_written_default_is_valid(flowops, repo):
    write_workflow(repo, default_workflow_yaml())
    result = flowops("workflow validate --plain")
    assert result.exit_code == 0 and result.stdout.strip() == ".flowops/workflow.yml: valid"


def test_a_cycle_makes_the_file_invalid_and_shows_its_path(flowops, repo):
    write_workflow(repo, BROKEN)
    result = flowops("workflow validate --plain")
    assert result.exit_code == 2
    assert ("error: .flowops/workflow.yml:8, field 'transitions[2]': forward transitions form a cycle: "
            "Doing -> Closed (via manual) -> Doing (via manual)") in result.stdout
    assert "invalid (2 errors)" in result.stdout  # the cycle, and no terminal state left


def test_json_lists_every_problem_with_stable_keys(flowops, repo):
    write_workflow(repo, BROKEN)
    result = flowops("workflow validate --json")
    assert result.exit_code == 2
    report = json.loads(result.stdout)
    assert report["valid"] is False and report["errors"] == 2 and report["warnings"] == 0
    assert set(report["problems"][0]) == {"severity", "message", "path", "line", "field"}


def test_warnings_alone_keep_the_file_valid(flowops, repo):
    fixed = BROKEN.replace("  - {from: Closed, to: Doing, via: manual}\n", "").replace("  - {from: Open, to: Doing, via: start}\n", "")
    write_workflow(repo, fixed)
    result = flowops("workflow validate --json")
    assert result.exit_code == 0
    report = json.loads(result.stdout)
    assert report["valid"] and report["warnings"] == 1
    assert "has no matching transition" in report["problems"][0]["message"]


def test_a_schema_error_names_file_field_and_line(flowops, repo):
    write_workflow(repo, BROKEN.replace("output_state: Doing}", "output_state: Doing, owner: me}"))
    result = flowops("workflow validate --plain")
    assert result.exit_code == 2
    assert "error: .flowops/workflow.yml:4, field 'workflows.start.owner': unknown key 'owner'" in result.stdout


def test_an_explicit_file_is_validated_and_a_missing_one_is_a_usage_error(flowops, repo):
    (repo / "other.yml").write_text(BROKEN)
    assert flowops("workflow validate --file other.yml --plain").exit_code == 2
    missing = flowops("workflow validate --file nowhere.yml --json")
    assert missing.exit_code == 2
    assert json.loads(missing.stdout)["problems"][0]["message"] == "file not found"


def test_invalid_yaml_is_reported_with_its_line(flowops, repo):
    write_workflow(repo, "version: 1\nstates:\n  - Open\n  bad: x\n")
    result = flowops("workflow validate --plain")
    assert result.exit_code == 2
    assert ".flowops/workflow.yml:4" in result.stdout and "invalid YAML" in result.stdout


def test_show_prints_the_workflow_in_effect(flowops):
    result = flowops("workflow show --json")
    assert result.exit_code == 0
    shown = json.loads(result.stdout)
    assert shown["default"] is True and shown["states"][0] == "To Do" and shown["states"][-1] == "Done"
    assert {"from": "Deployed", "to": "Validated", "via": "rollback", "gates": []} in shown["transitions"]


def test_commands_that_enforce_the_workflow_refuse_an_invalid_file(flowops, repo):
    write_workflow(repo, BROKEN)
    result = flowops("workflow show --plain")
    assert result.exit_code == 2
    assert "is not a valid workflow" in result.stderr and "flowops workflow validate" in result.stderr
