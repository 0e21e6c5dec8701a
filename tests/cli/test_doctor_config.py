"""`flowops doctor` checks every flowops file, not only the task files, and exits 1 on errors.

config.toml (or [tool.flowops] in pyproject.toml), .flowops/workflow.yml,
.flowops/hooks.yaml and the backlog's config.yml: a broken one used to pass as "No
problems found." while commands that read it failed later, or silently did without it.
"""

from __future__ import annotations

import json

import pytest


@pytest.fixture
def project(repo, flowops):
    assert flowops("init").exit_code == 0
    return repo


def test_a_healthy_project_has_no_problems(project, flowops):
    result = flowops("doctor --plain")
    assert (result.exit_code, result.stdout) == (0, "No problems found.\n"), result


def test_invalid_toml_in_config_toml_is_an_error_with_its_line(project, flowops):
    (project / ".flowops" / "config.toml").write_text('[operate]\nplaybooks = ["sre"\nalerts = []\n')
    result = flowops("doctor --plain")
    assert result.exit_code == 1, result
    assert "config: invalid TOML" in result.stdout
    assert "(.flowops/config.toml:3)" in result.stdout or "(.flowops/config.toml:2)" in result.stdout
    assert "No problems found." not in result.stdout


def test_an_unknown_key_in_tool_flowops_is_an_error(project, flowops):
    (project / ".flowops" / "config.toml").unlink()
    (project / "pyproject.toml").write_text('[project]\nname = "shop"\n\n[tool.flowops]\nrequire_checked_ac_for_dne = true\n')
    result = flowops("doctor --plain")
    assert result.exit_code == 1
    assert "unknown setting 'tool.flowops.require_checked_ac_for_dne'" in result.stdout
    assert "pyproject.toml" in result.stdout


def test_a_pyproject_that_is_not_toml_but_holds_tool_flowops_is_an_error(project, flowops):
    (project / ".flowops" / "config.toml").unlink()
    (project / "pyproject.toml").write_text('[tool.flowops]\noperate = {playbooks = ["sre"}\n')
    result = flowops("doctor --plain")
    assert result.exit_code == 1
    assert "pyproject.toml" in result.stdout and "invalid TOML" in result.stdout


def test_a_broken_workflow_is_an_error_naming_file_and_line(project, flowops):
    path = project / ".flowops" / "workflow.yml"
    path.write_text(path.read_text().replace("output_state: Deployed", "output_state: Shipped"))
    result = flowops("doctor --plain")
    assert result.exit_code == 1
    assert "workflow: " in result.stdout and "Shipped" in result.stdout and ".flowops/workflow.yml:" in result.stdout


def test_a_broken_hooks_file_is_an_error(project, flowops):
    path = project / ".flowops" / "hooks.yaml"
    path.write_text("version: 1\nhooks:\n  - name: x\n    events: [deploy.*]\n    command: echo hi\n")
    result = flowops("doctor --json")
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    assert report["ok"] is False
    hooks = [f for f in report["findings"] if f["kind"] == "hooks"]
    assert hooks and hooks[0]["paths"] == [".flowops/hooks.yaml"] and hooks[0]["line"] == 5
    assert "argv list" in hooks[0]["message"]


def test_a_backlog_config_with_an_unknown_default_status_is_an_error(project, flowops):
    path = project / "backlog" / "config.yml"
    path.write_text(path.read_text().replace('default_status: "To Do"', 'default_status: "Doing"'))
    result = flowops("doctor --plain")
    assert result.exit_code == 1
    assert "backlog-config: default_status 'Doing' is not one of the statuses" in result.stdout


def test_warnings_are_shown_but_do_not_fail_doctor(project, flowops):
    (project / ".flowops" / "hooks.yaml").write_text(
        'version: 1\nhooks:\n  - {name: n, events: ["x.*"], command: ["scripts/not-there.sh"]}\n'
    )
    result = flowops("doctor --plain")
    assert result.exit_code == 0, result
    assert "warning: hooks: " in result.stdout and "does not exist" in result.stdout
