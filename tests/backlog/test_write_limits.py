"""flowops never writes what it would refuse to read, and a command completes (file and event) or changes nothing."""

from __future__ import annotations

import json
import os

from flowops.backlog.taskfile import MAX_FILE_BYTES, TaskFile


def _tasks(repo):
    return sorted((repo / "backlog" / "tasks").iterdir())


def _event_types(flowops) -> list[str]:
    records = json.loads(flowops("hooks log --json").stdout)["records"]
    return [r["event"]["type"] for r in records if r["kind"] == "event"]


def test_notes_that_would_pass_the_size_limit_are_refused_and_the_file_is_unchanged(flowops, repo):
    assert flowops("init").exit_code == 0
    assert flowops("task create Growing").exit_code == 0
    chunk = "x" * (MAX_FILE_BYTES // 3)
    assert flowops(["task", "edit", "1", "--append-notes", chunk]).exit_code == 0
    assert flowops(["task", "edit", "1", "--append-notes", chunk]).exit_code == 0
    [path] = _tasks(repo)
    before = path.read_bytes()

    refused = flowops(["task", "edit", "1", "--append-notes", chunk, "--append-notes", chunk])

    assert refused.exit_code == 2, refused
    assert "1 MiB" in refused.stderr and "TASK-1" in refused.stderr
    assert path.read_bytes() == before
    assert "TASK-1" in flowops("task list --plain").stdout
    assert flowops("task edit 1 -s Done").exit_code == 0
    assert _event_types(flowops).count("task.updated") == 3


def test_a_new_task_over_the_size_limit_is_refused_before_anything_is_written(flowops, repo):
    assert flowops("init").exit_code == 0

    refused = flowops(["task", "create", "Huge", "-d", "y" * (MAX_FILE_BYTES + 1)])

    assert refused.exit_code == 2, refused
    assert _tasks(repo) == [] and _event_types(flowops) == []


def test_a_long_title_gets_a_shortened_file_name_and_is_kept_whole(flowops, repo):
    assert flowops("init").exit_code == 0
    title = "Investigate " + " ".join(f"ünïcödé-word-{n}" for n in range(40))

    created = flowops(["task", "create", title])

    assert created.exit_code == 0, created
    [path] = _tasks(repo)
    assert path.name.startswith("task-1 - ") and path.name.endswith(".md")
    assert len(os.fsencode(path.name)) <= 200
    assert TaskFile(path.read_bytes()).task.title == title
    assert json.loads(flowops("task view 1 --json").stdout)["task"]["title"] == title
    assert flowops("task edit 1 --ac 'p95 below 300 ms'").exit_code == 0
    assert _event_types(flowops) == ["task.created", "task.updated"]


def test_renaming_to_a_long_title_completes_with_its_event(flowops, repo):
    assert flowops("init").exit_code == 0
    assert flowops("task create Short").exit_code == 0
    title = "x" * 300

    edited = flowops(["task", "edit", "1", "-t", title])

    assert edited.exit_code == 0, edited
    [path] = _tasks(repo)
    assert path.name == f"task-1 - {'x' * (200 - len('task-1 - ') - len('.md'))}.md"
    assert TaskFile(path.read_bytes()).task.title == title
    assert _event_types(flowops) == ["task.created", "task.updated"]


def test_a_rename_that_cannot_happen_changes_nothing(flowops, repo):
    assert flowops("init").exit_code == 0
    assert flowops("task create Old").exit_code == 0
    [path] = _tasks(repo)
    before = path.read_bytes()
    (repo / "backlog" / "tasks" / "task-1 - New.md").mkdir()  # something already has the new name

    refused = flowops("task edit 1 -t New")

    assert refused.exit_code in (1, 2), refused
    assert "task-1 - New.md" in refused.stderr
    assert path.exists() and path.read_bytes() == before
    assert _event_types(flowops) == ["task.created"]


def test_creating_several_tasks_writes_none_when_one_is_refused(backlog_project):
    import pytest

    from flowops.backlog.store import NewTask
    from flowops.errors import UsageError

    _project, backlog = backlog_project
    with pytest.raises(UsageError, match="1 MiB"):
        backlog.create_many([NewTask("Fine"), NewTask("Huge", description="z" * (MAX_FILE_BYTES + 1))])
    assert list(backlog.folder_path("tasks").iterdir()) == []
