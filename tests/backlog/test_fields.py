"""The one table of task fields (fields.py): what derives from it, and Backlog.md's reading and writing rules."""

from __future__ import annotations

import dataclasses

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from flowops.backlog import fields, records
from flowops.backlog.fields import FIELDS, read_value, written_value
from flowops.backlog.model import Task
from flowops.backlog.quickread import quick_record, quick_task
from flowops.backlog.sections import Comment, Criterion
from flowops.backlog.taskfile import TaskFile, render_new_task

BY_KEY = {f.key: f for f in FIELDS}


def test_every_task_attribute_is_a_field_a_body_section_or_bookkeeping():
    attributes = {f.name for f in dataclasses.fields(Task)}
    from_table = {f.attr for f in FIELDS} | set(fields.TEXT_SECTIONS) | set(fields.CHECKLISTS)
    assert attributes == from_table | {"comments", "extra", "_path", "folder"}


def test_keys_are_written_in_backlog_md_order():
    assert fields.KEY_ORDER == [
        "id", "title", "status", "assignee", "reporter", "created_date", "updated_date", "due_date", "labels", "milestone",
        "dependencies", "references", "documentation", "modified_files", "parent_task_id", "subtasks", "priority", "type",
        "project", "ordinal", "onStatusChange",
    ]


def test_a_record_holds_the_scalar_fields_then_the_text_sections_and_the_list_fields_in_table_order():
    scalars = (*(f.attr for f in FIELDS if not f.is_list), *fields.TEXT_SECTIONS)
    lists = tuple(f.attr for f in FIELDS if f.is_list)
    assert (scalars, lists) == (records.SCALARS, records.LISTS)


def test_a_task_with_every_field_set_survives_a_record():
    task = Task(id="TASK-7", title="All of it", status="Done", assignees=["@sara"], reporter="@bob",
                created_date="2026-01-02 03:04", updated_date="2026-01-03", due_date="2026-02-01", labels=["a", "b"],
                milestone="m1", dependencies=["TASK-1"], references=["docs/x.md"], documentation=["https://x.y"],
                modified_files=["src/a.py"], parent_task_id="TASK-2", subtasks=["TASK-7.1"], priority="high", type="bug",
                project="p", ordinal=0, on_status_change="notify", description="d", implementation_plan="p",
                implementation_notes="n", final_summary="s", acceptance_criteria=[Criterion(1, "one", True)],
                definition_of_done=[Criterion(1, "done", False)], comments=[Comment(1, "hi", "@sara", "2026-01-02 03:04")],
                extra={"custom": ["x"]})
    assert records.from_record(records.to_record(task)) == task


# How Backlog.md 1.52 reads a frontmatter value into a task field (its String() and array rules).
READS = [
    ("title", 1000, "1000"),
    ("title", None, ""),
    ("reporter", "", None),
    ("reporter", "@sara", "@sara"),
    ("assignee", "sara", ["sara"]),  # a single assignee is a one-item list
    ("assignee", None, []),
    ("labels", "solo", []),  # a single label is dropped
    ("labels", ["a", 1], ["a", "1"]),
    ("created_date", "2026-01-02T03:04", "2026-01-02 03:04"),
    ("created_date", None, ""),
    ("updated_date", "", None),
    ("due_date", "2026-02-01 10:00", "2026-02-01"),
    ("priority", "  HIGH  ", "high"),
    ("priority", "", None),
    ("ordinal", "5", 5),
    ("ordinal", 2.5, 2.5),
    ("ordinal", True, None),
]


@pytest.mark.parametrize("key,value,expected", READS)
def test_values_are_read_as_backlog_md_reads_them(key, value, expected):
    assert read_value(BY_KEY[key], value) == expected


# What is written for a task field: None means the key is left out.
WRITES = [
    ("status", "", ""),  # always written
    ("labels", [], []),  # always written, as "labels: []"
    ("references", [], None),  # only when set
    ("reporter", "", None),
    ("ordinal", 0, 0),  # a number is written unless absent
    ("ordinal", None, None),
    ("created_date", None, ""),
]


@pytest.mark.parametrize("key,value,expected", WRITES)
def test_keys_are_written_when_backlog_md_writes_them(key, value, expected):
    assert written_value(BY_KEY[key], value) == expected


UNKNOWN_KEYS = [
    "custom_key: hello",
    "numbers:\n  - a\n  - b",
    "weird: 12",
    "nothing:",
]


@pytest.mark.parametrize("lines", UNKNOWN_KEYS)
def test_the_fast_reader_keeps_keys_backlog_md_does_not_know_as_the_full_parser_does(lines):
    task = Task(id="TASK-3", title="Extra keys", status="To Do", created_date="2026-01-02 03:04", labels=["x"])
    raw = render_new_task(task).replace(b"\nstatus:", f"\n{lines}\nstatus:".encode(), 1)
    full = TaskFile(raw).parsed
    quick = quick_task(raw)
    assert quick is not None and quick_record(raw) is not None
    quick.path, quick.folder = full.path, full.folder
    assert quick == full and quick.extra == full.extra != {}


extra_keys = st.from_regex(r"[a-z][a-z0-9_]{0,11}", fullmatch=True).filter(lambda key: key not in fields.KNOWN_KEYS)
extra_values = st.one_of(st.text(st.characters(min_codepoint=0x20, max_codepoint=0x7E), min_size=1, max_size=12),
                         st.lists(st.sampled_from(["a", "b c", "@x", "1"]), max_size=3), st.integers(-5, 5))


@settings(max_examples=150, deadline=None)
@given(st.dictionaries(extra_keys, extra_values, max_size=3), st.sampled_from([None, 0, 7, 2.5]))
def test_the_fast_reader_agrees_with_the_full_parser_whatever_unknown_keys_a_task_has(extra, ordinal):
    task = Task(id="TASK-9", title="Generated", status="In Progress", created_date="2026-01-02 03:04", ordinal=ordinal,
                extra=extra)
    raw = render_new_task(task)
    full = TaskFile(raw).parsed
    quick = quick_task(raw)
    if quick is not None:
        quick.path, quick.folder = full.path, full.folder
        assert quick == full
