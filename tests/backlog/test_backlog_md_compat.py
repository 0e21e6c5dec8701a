"""Behaviours the interop tests against the real Backlog.md 1.52 CLI found, pinned without it."""

from __future__ import annotations

import json

from flowops.backlog.model import Task
from flowops.backlog.store import NewTask
from flowops.backlog.taskfile import TaskFile
from flowops.backlog.views import dependency_graph, dependency_lines, is_ready
from tests.backlog.conftest import CORPUS


def test_removing_the_last_section_leaves_the_body_backlog_md_writes_for_a_bare_task():
    path = CORPUS / "tasks" / "task-2 - Plain-one.md"
    raw = path.read_bytes()
    assert raw.endswith(b"---\n\n\n")
    with_notes = TaskFile(raw, path)
    task = with_notes.task
    task.implementation_notes = "notes"
    edited = TaskFile(with_notes.render(task), path)
    task = edited.task
    task.implementation_notes = None
    assert edited.render(task) == raw


def test_reordering_alone_leaves_updated_date_alone(backlog_project):
    _project, backlog = backlog_project
    backlog.create(NewTask("One"))
    reordered = backlog.update("1", lambda task: setattr(task, "ordinal", 7))
    assert reordered.changed == ["ordinal"] and reordered.after.updated_date is None
    assert "updated_date" not in reordered.after.path.read_text() and "ordinal: 7\n" in reordered.after.path.read_text()
    relabelled = backlog.update("1", lambda task: (setattr(task, "ordinal", 8), task.labels.append("x")))
    assert relabelled.after.updated_date


def _task(task_id: str, status: str = "To Do", dependencies=(), folder: str = "tasks") -> Task:
    task = Task(id=task_id, title=f"Title of {task_id}", status=status, dependencies=list(dependencies))
    task.folder = folder
    return task


def test_a_finished_task_is_neither_ready_nor_blocked():
    tasks = {t.id: t for t in (_task("TASK-1", "In Progress"), _task("TASK-2", "Done", ["TASK-1"]),
                               _task("TASK-3", dependencies=["TASK-2"]), _task("TASK-4", "To Do", folder="completed"))}
    _graph, readiness = dependency_graph(tasks["TASK-2"], tasks.get, "Done")
    assert readiness == {"isReady": False, "isBlocked": False, "blockingDependencies": [], "missingDependencies": []}
    assert [is_ready(tasks[i], tasks.get, "Done") for i in sorted(tasks)] == [True, False, True, False]
    _graph, readiness = dependency_graph(tasks["TASK-1"], tasks.get, "Done")
    assert readiness["isReady"] is True


def test_a_finished_dependency_shows_as_completed_in_the_plain_graph():
    tasks = {t.id: t for t in (_task("TASK-1", "Shipped"), _task("TASK-2", "In Progress", ["TASK-1"]))}
    lines = dependency_lines(_task("TASK-3", dependencies=["TASK-1", "TASK-2"]), tasks.get, "Shipped")
    assert lines == [
        "Depends on (2 direct, 2 total):",
        "\u251c\u2500 TASK-1 - Title of TASK-1 [completed]",
        "\u2514\u2500 TASK-2 - Title of TASK-2 [In Progress]",
        "   \u2514\u2500 TASK-1 - Title of TASK-1 [completed] (shown above)",
    ]


def test_list_and_search_json_call_a_done_task_not_ready(flowops):
    assert flowops("init demo").exit_code == 0
    flowops('task create "Finished thing" -s Done')
    flowops('task create "Open thing"')
    flowops('task create "Waiting thing" --dep 2')
    listed = json.loads(flowops("task list --json").stdout)["tasks"]
    assert {t["id"]: t["isReady"] for t in listed} == {"TASK-1": False, "TASK-2": True, "TASK-3": False}
    found = json.loads(flowops("search thing --json").stdout)["results"]
    assert {r["data"]["id"]: r["data"]["isReady"] for r in found} == {"TASK-1": False, "TASK-2": True, "TASK-3": False}


def test_a_dependency_moved_to_completed_counts_as_finished_in_list_json(flowops, repo):
    assert flowops("init demo").exit_code == 0
    flowops('task create "Shipped" -s Done')
    flowops('task create "Next" --dep 1')
    done = next((repo / "backlog" / "tasks").glob("task-1 - *.md"))
    done.rename(repo / "backlog" / "completed" / done.name)  # what `backlog cleanup` does
    listed = json.loads(flowops("task list --json").stdout)["tasks"]
    assert [(t["id"], t["isReady"]) for t in listed] == [("TASK-2", True)]
