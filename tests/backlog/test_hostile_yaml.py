"""YAML alias bombs in any file flowops reads from a repository are refused quickly, naming the file."""

from __future__ import annotations

import json
import time

from tests.test_yamlfile import _bomb

BOMB_TASK = "---\nid: TASK-2\ntitle: bomb\nstatus: To Do\n" + _bomb() + "labels: *a8\n---\n"


def test_an_alias_bomb_in_a_task_file_is_skipped_with_one_warning(flowops, repo, user_cache_dir):
    assert flowops("init").exit_code == 0
    assert flowops("task create Fine").exit_code == 0
    (repo / "backlog" / "tasks" / "task-2 - bomb.md").write_text(BOMB_TASK)
    assert len(BOMB_TASK) < 700

    started = time.monotonic()
    listed = flowops("task list --plain")
    elapsed = time.monotonic() - started

    assert listed.exit_code == 0
    assert "TASK-1" in listed.stdout and "TASK-2" not in listed.stdout
    warnings = [line for line in listed.stderr.splitlines() if line.startswith("warning:")]
    assert len(warnings) == 1 and "task-2 - bomb.md" in warnings[0] and "alias" in warnings[0]
    assert elapsed < 10  # generous: the bomb took 8.5 s and 722 MB before
    assert sum(f.stat().st_size for f in user_cache_dir.rglob("*") if f.is_file()) < 1_000_000
    assert flowops("search lol --plain").exit_code == 0
    assert flowops("board --plain").exit_code == 0


def test_an_alias_bomb_in_hooks_yaml_is_a_config_error_naming_the_file(flowops, repo):
    assert flowops("init").exit_code == 0
    (repo / ".flowops" / "hooks.yaml").write_text("version: 1\n" + _bomb() + "hooks: []\n")

    validated = flowops("hooks validate --json")
    created = flowops("task create Still-written")

    assert validated.exit_code == 2
    [problem] = json.loads(validated.stdout)["problems"]
    assert problem["path"] == ".flowops/hooks.yaml" and "alias" in problem["message"]
    assert created.exit_code == 1 and ".flowops/hooks.yaml" in created.stderr and "alias" in created.stderr


def test_an_alias_bomb_in_workflow_yml_is_a_config_error(flowops, repo):
    assert flowops("init").exit_code == 0
    (repo / ".flowops" / "workflow.yml").write_text(_bomb() + "states: *a8\n")

    result = flowops("workflow validate")

    assert result.exit_code == 2 and "workflow.yml" in result.stderr + result.stdout


def test_an_alias_bomb_in_an_alert_file_is_a_config_error(tmp_path):
    import pytest

    from flowops.errors import ConfigError
    from flowops.ops.alerts import read_alerts

    path = tmp_path / "alerts.yml"
    path.write_text(_bomb() + "groups: *a8\n")
    with pytest.raises(ConfigError) as info:
        read_alerts(path)
    assert "alias" in info.value.message
