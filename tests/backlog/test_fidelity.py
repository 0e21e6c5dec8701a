"""Files written by the real Backlog.md 1.52 (tests/data/backlog152) are read, kept and rewritten exactly."""

from __future__ import annotations

import pytest

from flowops.backlog.quickread import quick_task
from flowops.backlog.taskfile import TaskFile, render_new_task
from flowops.backlog.views import task_view_json
from tests.backlog.conftest import corpus_files, expected_json

FILES = corpus_files()
FIELDS = (
    "id", "title", "status", "type", "priority", "assignees", "reporter", "labels", "milestone", "parentTaskId",
    "acceptanceCriteriaCompleted", "acceptanceCriteriaCount", "references", "modifiedFiles", "ordinal", "createdAt",
    "updatedAt", "dueDate", "description", "dependencies", "documentation", "acceptanceCriteria", "definitionOfDone",
    "implementationPlan", "implementationNotes", "comments", "finalSummary",
)


def test_the_corpus_is_there():
    assert len(FILES) >= 39


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_an_unchanged_task_is_written_back_byte_for_byte(path):
    raw = path.read_bytes()
    task_file = TaskFile(raw, path)
    assert task_file.render(task_file.task) == raw


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_a_new_task_file_is_what_backlog_md_writes(path):
    raw = path.read_bytes()
    task = TaskFile(raw, path).task
    assert render_new_task(task) == raw


# Drafts have no `backlog task view`, so no expected JSON.
VIEWED = [p for p in FILES if not p.name.startswith("draft-")]


@pytest.mark.parametrize("path", VIEWED, ids=lambda p: p.name)
def test_fields_equal_what_backlog_md_reports(path):
    task = TaskFile(path.read_bytes(), path).task
    expected = expected_json(task.id)
    assert expected is not None, f"no expected JSON for {task.id}: regenerate with tests/data/backlog152/generate.sh"
    ours = task_view_json(task, path=None, readiness={"isReady": True}, graph={}, subtasks=[])
    for field in FIELDS:
        assert ours[field] == expected[field], field


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_the_fast_reader_agrees_with_the_full_parser(path):
    raw = path.read_bytes()
    full = TaskFile(raw, path).parsed
    quick = quick_task(raw)
    if quick is not None:
        quick.path, quick.folder = full.path, full.folder
        assert quick == full
