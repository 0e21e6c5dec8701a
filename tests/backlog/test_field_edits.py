"""Editing a frontmatter field replaces exactly that field, whatever the file holds, and bad values are refused."""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from flowops.backlog.model import Task
from flowops.backlog.taskfile import TaskFile, render_new_task


def _task_file(repo):
    [path] = (repo / "backlog" / "tasks").glob("task-1 *.md")
    return path


def _audit_types(flowops) -> list[str]:
    records = json.loads(flowops("hooks log --json").stdout)["records"]
    return [r["event"]["type"] for r in records if r["kind"] == "event"]


@pytest.mark.parametrize(
    "args",
    [
        ["t", "-l", "a\n\nb: c"],
        ["t", "-l", "x: y\n\nword"],
        ["t", "-a", "@sara\n\nb: c"],
        ["two\nlines"],
        ["carriage\rreturn"],
        ["next\x85line"],
        ["t", "--ref", "https://a\nb"],
        ["t", "--doc", "docs/a\u2028b"],
        ["t", "--type", "bug\nfix"],
        ["bad \udcff byte"],
        ["t", "-d", "a NUL \x00 in the text"],
    ],
)
def test_line_breaks_and_unwritable_text_are_refused_before_anything_is_written(flowops, repo, args):
    assert flowops("init").exit_code == 0

    result = flowops(["task", "create", *args])

    assert result.exit_code == 2, result
    assert "error:" in result.stderr
    assert list((repo / "backlog" / "tasks").iterdir()) == []
    assert _audit_types(flowops) == []


@pytest.mark.parametrize(
    "args",
    [["-l", "a\n\nb: c"], ["--add-label", "x\ny"], ["-a", "@a\nb"], ["-t", "new\ntitle"], ["--type", "a\rb"],
     ["-t", "bad \udcff byte"], ["--notes", "NUL \x00"], ["--append-notes", "bad \udcff"]],
)
def test_an_edit_with_a_refused_value_leaves_the_file_unchanged(flowops, repo, args):
    assert flowops("init").exit_code == 0
    assert flowops("task create Original -l keep").exit_code == 0
    before = _task_file(repo).read_bytes()

    result = flowops(["task", "edit", "1", *args])

    assert result.exit_code == 2, result
    assert _task_file(repo).read_bytes() == before
    assert _audit_types(flowops) == ["task.created"]


def _write_task(repo, **fields) -> None:
    """A task file as an older flowops (or a person) wrote it: multi-line values included."""
    task = Task(id="TASK-1", title="t", status="To Do", created_date="2026-01-02 03:04")
    for name, value in fields.items():
        setattr(task, name, value)
    (repo / "backlog" / "tasks" / "task-1 - t.md").write_bytes(render_new_task(task))


@pytest.mark.parametrize("old", ["a\n\nb: c", "x: y\n\nword", "a\n\n\n- b\n", "|\n  x\n\ny"])
@pytest.mark.parametrize("option, attr", [("-l", "labels"), ("-a", "assignees")])
def test_replacing_a_multi_line_value_already_in_a_file_is_exact(flowops, repo, old, option, attr):
    assert flowops("init").exit_code == 0
    _write_task(repo, **{attr: [old, "other"]})

    edited = flowops(["task", "edit", "1", option, "new"])
    listed = flowops("task list --plain")
    viewed = json.loads(flowops("task view 1 --json").stdout)["task"]

    assert edited.exit_code == 0, edited
    assert "TASK-1" in listed.stdout and listed.stderr == ""
    assert viewed[attr] == ["new"]


def test_editing_another_field_keeps_a_multi_line_value_exactly(flowops, repo):
    assert flowops("init").exit_code == 0
    _write_task(repo, labels=["a\n\nb: c", "x: y\n\nword"], assignees=["@sara"])

    assert flowops("task edit 1 -s Done").exit_code == 0

    task = TaskFile(_task_file(repo).read_bytes()).task
    assert task.labels == ["a\n\nb: c", "x: y\n\nword"] and task.status == "Done" and task.assignees == ["@sara"]


HOSTILE = [
    "a\n\nb: c", "x: y\n\nword", "- item", "---", "|", ">", "&anchor", "*alias", "#", "# c", "key: value", "\t", " lead",
    "trail ", "", "null", "~", "'", '"', "a\r\nb", "\x85", "\u2028", "[a, b]", "{a: 1}", "? q", "%TAG", "@name", "`b`",
    "!tag", "0x1F", "1e3", "2026-01-01", "yes", "a\n", "\n", "\n\na", "a\n\n", "  \n  ", "x" * 90 + " y" * 10, "é ✓ 𝄞",
    "\x00", "\x1b[31m", "a: b\n  c: d", "- a\n- b", "|-\n  x", "a #b", "a\\b", "\ufeff",
]
# Any text the reader accepts: everything but lone surrogates, which no UTF-8 file can hold.
hostile_text = st.one_of(st.sampled_from(HOSTILE), st.text(st.characters(blacklist_categories=("Cs",)), max_size=24))
hostile_list = st.lists(hostile_text, max_size=3)
SCALARS = ("title", "status", "milestone", "type", "reporter")
LISTS = ("labels", "assignees", "dependencies", "references", "documentation")


@st.composite
def hostile_tasks(draw) -> Task:
    task = Task(id="TASK-7", title=draw(hostile_text), status=draw(hostile_text), created_date="2026-01-02 03:04")
    for name in ("milestone", "type", "reporter"):
        setattr(task, name, draw(st.one_of(st.none(), hostile_text)) or None)
    for name in LISTS:
        setattr(task, name, draw(hostile_list))
    task.priority = draw(st.sampled_from([None, "high", "low"]))
    task.description = draw(st.sampled_from(["", "Some text.", "Line one\n\n- a list"]))
    return task


edits = st.lists(st.one_of(st.tuples(st.sampled_from(SCALARS), hostile_text), st.tuples(st.sampled_from(LISTS), hostile_list)),
                 min_size=1, max_size=4)


def _expected(task: Task, name: str):
    value = getattr(task, name)
    return (value or None) if name in ("milestone", "type", "reporter") else value


@settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(hostile_tasks(), edits)
def test_any_sequence_of_edits_leaves_a_parseable_file_with_exactly_the_fields_asked_for(task, changes):
    raw = render_new_task(task)
    wanted = task.copy()
    for name, value in changes:
        task_file = TaskFile(raw)
        edited = task_file.task
        setattr(edited, name, value)
        setattr(wanted, name, value)
        raw = task_file.render(edited)
        reread = TaskFile(raw).task
        for field in (*SCALARS, *LISTS, "priority", "id", "created_date"):
            assert getattr(reread, field) == _expected(wanted, field), field
        assert reread.description == wanted.description


def test_the_writer_refuses_text_no_utf8_file_can_hold():
    with pytest.raises(ValueError, match="UTF-8"):
        render_new_task(Task(id="TASK-1", title="bad \udcff byte", status="To Do"))
