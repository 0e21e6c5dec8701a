"""Hypothesis: any task flowops writes reads back the same, the fast reader agrees, edits are local."""

from __future__ import annotations

import difflib

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from flowops.backlog.model import Task
from flowops.backlog.quickread import quick_task
from flowops.backlog.sections import Comment, Criterion
from flowops.backlog.taskfile import TaskFile, render_new_task

# Text a user can type on one line: any printable character, including YAML and markdown specials.
line_chars = st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="\u2028\u2029\x85\ufeff")
one_line = st.text(line_chars, min_size=1, max_size=40).map(lambda s: " ".join(s.split())).filter(bool)
markdown_line = st.one_of(
    one_line,
    st.sampled_from(["", "## Custom heading", "- [ ] #1 looks like a criterion", "```", "    code", "<!-- a comment -->",
                     "---", "# Title", "> quote", "- item"]),
)
block = st.lists(markdown_line, min_size=1, max_size=6).map("\n".join).map(str.strip).filter(
    lambda s: s and "<!--" not in s and "```" not in s
)
labels = st.lists(one_line.filter(lambda s: "," not in s), max_size=4, unique=True)
stamp = st.sampled_from(["2026-01-02 03:04", "2025-12-31 23:59", "2026-06-01"])


@st.composite
def tasks(draw) -> Task:
    task = Task(id=f"TASK-{draw(st.integers(1, 999))}", title=draw(one_line))
    task.status = draw(st.sampled_from(["To Do", "In Progress", "Done", "Blocked"]))
    task.assignees = draw(st.lists(st.sampled_from(["@sara", "bob", "@sre-agent", "@a b"]), max_size=3, unique=True))
    task.created_date = draw(stamp)
    task.updated_date = draw(st.one_of(st.none(), stamp))
    task.labels = draw(labels)
    task.dependencies = draw(st.lists(st.sampled_from(["TASK-1", "TASK-2.1", "TASK-30"]), max_size=2, unique=True))
    task.priority = draw(st.sampled_from([None, "high", "medium", "low"]))
    task.parent_task_id = draw(st.sampled_from([None, "TASK-1"]))
    task.ordinal = draw(st.one_of(st.none(), st.integers(0, 10**6)))
    task.description = draw(st.one_of(st.just(""), block))
    task.acceptance_criteria = [Criterion(i, text, checked) for i, (text, checked) in
                                enumerate(draw(st.lists(st.tuples(one_line, st.booleans()), max_size=4)), 1)]
    task.definition_of_done = [Criterion(i, text, False) for i, text in enumerate(draw(st.lists(one_line, max_size=2)), 1)]
    task.implementation_plan = draw(st.one_of(st.none(), block))
    task.implementation_notes = draw(st.one_of(st.none(), block))
    task.final_summary = draw(st.one_of(st.none(), block))
    comment_bodies = draw(st.lists(block.filter(lambda s: "---" not in s), max_size=2))
    task.comments = [Comment(i, body, "@sara", "2026-01-02 03:04") for i, body in enumerate(comment_bodies, 1)]
    return task


def _comparable(task: Task) -> Task:
    copy = task.copy()
    copy.path, copy.folder, copy.extra = None, "tasks", {}
    for items in (copy.acceptance_criteria, copy.definition_of_done):
        for n, item in enumerate(items, 1):
            item.text, item.index = item.text.strip(), n
    return copy


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tasks())
def test_a_written_task_reads_back_with_the_same_fields(task):
    raw = render_new_task(task)
    parsed = TaskFile(raw).task
    assert _comparable(parsed) == _comparable(task)
    assert raw.endswith(b"\n") and not raw.endswith(b"\n\n\n\n")


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tasks())
def test_reading_and_rewriting_without_change_keeps_every_byte(task):
    raw = render_new_task(task)
    task_file = TaskFile(raw)
    assert task_file.render(task_file.task) == raw


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tasks())
def test_the_fast_reader_agrees_with_the_full_parser_on_generated_tasks(task):
    raw = render_new_task(task)
    quick = quick_task(raw)
    full = TaskFile(raw).parsed
    if quick is not None:
        quick.path, quick.folder = full.path, full.folder
        assert quick == full


EDITS = {
    "title": lambda t, v: setattr(t, "title", v),
    "status": lambda t, v: setattr(t, "status", "Done" if t.status != "Done" else "To Do"),
    "labels": lambda t, v: setattr(t, "labels", t.labels + [v] if v not in t.labels else t.labels[:-1]),
    "priority": lambda t, v: setattr(t, "priority", "high" if t.priority != "high" else None),
    "description": lambda t, v: setattr(t, "description", v),
    "acceptance_criteria": lambda t, v: setattr(t, "acceptance_criteria", t.acceptance_criteria + [Criterion(0, v)]),
    "implementation_notes": lambda t, v: setattr(t, "implementation_notes", v),
}


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tasks(), st.sampled_from(sorted(EDITS)), one_line)
def test_an_edit_changes_that_field_and_nothing_else(task, field, value):
    raw = render_new_task(task)
    task_file = TaskFile(raw)
    edited = task_file.task
    EDITS[field](edited, value)
    assume(task_file.changed_fields(edited))
    new_raw = task_file.render(edited)
    reread = TaskFile(new_raw).task
    before, after = _comparable(task_file.parsed), _comparable(reread)
    for name in Task.__dataclass_fields__:
        if name in ("path", "folder", "extra"):
            continue
        if name == field or (field == "acceptance_criteria" and name == "acceptance_criteria"):
            continue
        assert getattr(after, name) == getattr(before, name), name
    assert getattr(after, field) == getattr(_comparable(edited), field)
    # Lines outside the edited field survive untouched.
    removed = [line for line in difflib.ndiff(raw.decode().splitlines(), new_raw.decode().splitlines()) if line.startswith("- ")]
    frontmatter_fields = {"title", "status", "labels", "priority"}
    if field in frontmatter_fields:
        assert all(not line.startswith("- ## ") for line in removed)
