from __future__ import annotations

import pytest

from flowops.backlog.sections import Body, Criterion, render_checklist, render_text_section
from flowops.backlog.taskfile import TaskFile, TaskParseError

LEGACY = b"""---
id: task-7
title: Legacy task
status: To Do
assignee: []
created_date: 2024-03-01
labels: []
dependencies: []
---

## Description

Old description text.

## Acceptance Criteria (Optional)

- [ ] First thing
- [x] Second thing

## Notes

Some notes.
"""


def test_legacy_headings_and_items_without_numbers_are_read():
    task = TaskFile(LEGACY).task
    assert task.id == "TASK-7"
    assert task.created_date == "2024-03-01"
    assert task.description == "Old description text."
    assert [(c.text, c.checked) for c in task.acceptance_criteria] == [("First thing", False), ("Second thing", True)]
    assert task.implementation_notes == "Some notes."


def test_checking_a_legacy_criterion_rewrites_only_that_section():
    task_file = TaskFile(LEGACY)
    task = task_file.task
    task.acceptance_criteria[0].checked = True
    out = task_file.render(task).decode()
    assert "## Description\n\nOld description text.\n" in out
    assert "## Acceptance Criteria\n<!-- AC:BEGIN -->\n- [x] #1 First thing\n- [x] #2 Second thing\n<!-- AC:END -->" in out
    assert out.endswith("## Notes\n\nSome notes.\n")


def test_crlf_files_stay_crlf():
    crlf = LEGACY.replace(b"\n", b"\r\n")
    task_file = TaskFile(crlf)
    assert task_file.render(task_file.task) == crlf
    task = task_file.task
    task.status = "Done"
    out = task_file.render(task)
    assert b"status: Done\r\n" in out and b"\n" not in out.replace(b"\r\n", b"")


def test_other_sections_are_preserved_untouched():
    raw = (b"---\nid: TASK-1\ntitle: T\nstatus: To Do\nassignee: []\ncreated_date: '2026-01-01 10:00'\nlabels: []\n"
           b"dependencies: []\n---\n\n## Context\n\nWhy we do it.\n\n* odd   spacing *\n\n## Description\n\n"
           b"<!-- SECTION:DESCRIPTION:BEGIN -->\nD\n<!-- SECTION:DESCRIPTION:END -->\n")
    task_file = TaskFile(raw)
    task = task_file.task
    task.acceptance_criteria = [Criterion(1, "new")]
    out = task_file.render(task).decode()
    assert "## Context\n\nWhy we do it.\n\n* odd   spacing *\n\n## Description" in out
    assert out.endswith("<!-- SECTION:DESCRIPTION:END -->\n\n## Acceptance Criteria\n<!-- AC:BEGIN -->\n- [ ] #1 new\n<!-- AC:END -->\n")


def test_headings_inside_code_fences_and_markers_are_not_sections():
    body = Body.parse("\n## Description\n\n<!-- SECTION:DESCRIPTION:BEGIN -->\n```\n## Not one\n```\n"
                      "## Also not\n<!-- SECTION:DESCRIPTION:END -->\n")
    assert [b.key for b in body.blocks] == ["description"]
    assert "## Also not" in body.text_value("description")


def test_unbalanced_markers_are_an_error_with_a_line():
    raw = (b"---\nid: TASK-1\ntitle: T\nstatus: To Do\n---\n\n## Acceptance Criteria\n<!-- AC:BEGIN -->\n"
           b"- [ ] #1 a\n")
    with pytest.raises(TaskParseError) as info:
        TaskFile(raw)
    assert "AC:END" in info.value.reason and info.value.line == 8


def test_interleaved_text_in_criteria_is_kept_when_items_change():
    previous = Body.parse("\n## Acceptance Criteria\n<!-- AC:BEGIN -->\n- [ ] #1 a\nA note about b:\n- [ ] #2 b\n<!-- AC:END -->\n")
    out = render_checklist("acceptance_criteria", [Criterion(1, "a", True), Criterion(2, "b")], previous.blocks[0])
    assert out == "## Acceptance Criteria\n<!-- AC:BEGIN -->\n- [x] #1 a\nA note about b:\n- [ ] #2 b\n<!-- AC:END -->"


def test_a_text_section_cannot_contain_its_own_end_marker():
    with pytest.raises(ValueError, match="indent it"):
        render_text_section("description", "x\n<!-- SECTION:DESCRIPTION:END -->\ny")
