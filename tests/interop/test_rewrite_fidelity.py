"""flowops rewrites files Backlog.md wrote without disturbing a byte, and edits them as Backlog.md does."""

from __future__ import annotations

import copy
import re
from concurrent.futures import ThreadPoolExecutor

import pytest

from flowops.backlog.model import Comment, Criterion
from flowops.backlog.store import load_backlog

pytestmark = pytest.mark.interop

# Two values per field: the way out sets the first one that differs from what the task
# has; the way back restores what was read.
CHANGES = {
    "title": ("A different title", "Another title"),
    "status": ("In Progress", "To Do"),
    "labels": (["temporary"], ["other"]),
    "assignees": (["@someone"], ["@else"]),
    "priority": ("medium", "low"),
    "description": ("Changed description", "Other description"),
    "dependencies": (["TASK-2"], ["TASK-4"]),
    "implementation_plan": ("changed plan", "other plan"),
    "implementation_notes": ("changed notes", "other notes"),
    "final_summary": ("changed summary", "other summary"),
    "acceptance_criteria": ([Criterion(1, "a changed criterion", True)], [Criterion(1, "another")]),
    "definition_of_done": ([Criterion(1, "a changed item")], [Criterion(1, "another")]),
    "comments": ([Comment(1, "a changed comment", "@someone", "2030-01-01 00:00")], []),
}


@pytest.fixture
def scenario_copy(backlog_written, tmp_path):
    return backlog_written.copy(tmp_path / "repo")


def _task_files(side):
    return sorted(p for folder in ("tasks", "drafts") for p in (side.root / "backlog" / folder).glob("*.md"))


def test_every_backlog_md_file_survives_each_change_and_its_undo_byte_for_byte(scenario_copy):
    # Keyed by id: Backlog.md keeps a file's name when its title changes, flowops renames it
    # to match, so a title changed and back can leave a new name (same bytes inside).
    files = {path.name.split(" - ")[0]: path for path in _task_files(scenario_copy)}
    assert len(files) >= 7
    before = {task_id: path.read_bytes() for task_id, path in files.items()}
    backlog = load_backlog(scenario_copy.root)
    for task_id in files:
        for attr, value in CHANGES.items():
            saved = {}

            def change(task, attr=attr, value=value, saved=saved):
                saved["value"] = copy.deepcopy(getattr(task, attr))
                setattr(task, attr, copy.deepcopy(value[value[0] == saved["value"]]))

            def undo(task, attr=attr, saved=saved):
                setattr(task, attr, saved["value"])

            assert backlog.update(task_id, change, touch=False).changed == [attr], (task_id, attr)
            backlog.update(task_id, undo, touch=False)
    after = {path.name.split(" - ")[0]: path.read_bytes() for path in _task_files(scenario_copy)}
    assert after.keys() == before.keys()
    for task_id, data in before.items():
        assert after[task_id] == data, task_id


def test_an_edit_that_changes_nothing_leaves_the_file_alone(scenario_copy):
    path = scenario_copy.task_file("TASK-1")
    data, mtime = path.read_bytes(), path.stat().st_mtime_ns
    result = scenario_copy.flowops("task", "edit", "1", "-s", "In Progress", "--check-ac", "1", "-l", "auth,backend,urgent")
    assert "No change to task TASK-1" in result.stdout
    assert (path.read_bytes(), path.stat().st_mtime_ns) == (data, mtime)


# -- the same edit through both tools gives the same file ---------------------------------

# (task, flags): TASK-2 has every section already, TASK-3 none.
EDITS = {
    "title": ("TASK-2", ("-t", "Renamed: with 'quotes' & more")),
    "description": ("TASK-2", ("-d", "Replaced\n\ndescription")),
    "status": ("TASK-2", ("-s", "In Progress")),
    "status done": ("TASK-2", ("-s", "Done")),
    "assignees and priority": ("TASK-2", ("-a", "@kim,@lee", "--priority", "low")),
    "labels": ("TASK-2", ("-l", "x,y z")),
    "add and remove labels": ("TASK-2", ("--add-label", "new", "--remove-label", "auth")),
    "criteria": ("TASK-2", ("--ac", "Third", "--check-ac", "2", "--uncheck-ac", "1")),
    "remove criterion": ("TASK-2", ("--remove-ac", "1")),
    "definition of done": ("TASK-2", ("--dod", "D2", "--check-dod", "1")),
    "plan and notes": ("TASK-2", ("--plan", "1. a\n2. b", "--append-notes", "more")),
    "final summary": ("TASK-2", ("--final-summary", "All done", "--append-final-summary", "really")),
    "comment": ("TASK-2", ("--comment", "Looks good\n\nto me", "--comment-author", "@kim")),
    "dependencies": ("TASK-2", ("--dep", "task-1")),
    "type and due date": ("TASK-2", ("--type", "bug", "--due-date", "2027-01-02")),
    "ordinal": ("TASK-3", ("--ordinal", "7")),
    "sections on a bare task": ("TASK-3", ("-d", "desc", "--ac", "One", "--dod", "D", "--plan", "p", "--notes", "n",
                                           "--final-summary", "f")),
    "comment on a bare task": ("TASK-3", ("--comment", "first", "--comment-author", "@kim")),
}


@pytest.fixture(scope="module")
def edited(new_side, tmp_path_factory):
    """{edit name: (file after `backlog task edit`, file after `flowops task edit`)}, from the same start."""
    base = new_side("edit-base")
    base.backlog("task", "create", "Target")
    base.backlog("task", "create", "Rich", "-d", "Some text", "--ac", "One", "--ac", "Two", "-l", "auth,backend",
                 "-a", "@sara", "--priority", "high", "--dod", "D1", "--notes", "n0")
    base.backlog("task", "edit", "2", "--check-ac", "1", "--plan", "p0", "--comment", "c0", "--final-summary", "f0")
    base.backlog("task", "create", "Bare")

    def run(name: str):
        task_id, flags = EDITS[name]
        folder = tmp_path_factory.mktemp("edit")
        theirs, ours = base.copy(folder / "backlog"), base.copy(folder / "flowops")
        theirs.backlog("task", "edit", task_id, *flags)
        ours.flowops("task", "edit", task_id, *flags)
        return theirs.task_file(task_id), ours.task_file(task_id)

    with ThreadPoolExecutor(max_workers=4) as pool:
        return dict(zip(EDITS, pool.map(run, EDITS), strict=True))


def _without_clock(text: str) -> str:
    """The file with the minute of 'now' masked (the two edits need not run in the same minute)."""
    stamp = r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}"
    text = re.sub(rf"^(updated_date: '){stamp}'$", r"\1<now>'", text, flags=re.MULTILINE)
    return re.sub(rf"^(created: ){stamp}$", r"\1<now>", text, flags=re.MULTILINE)


@pytest.mark.parametrize("name", EDITS)
def test_flowops_edits_a_backlog_md_file_exactly_as_backlog_md_does(edited, name):
    theirs, ours = edited[name]
    assert _without_clock(ours.read_text(encoding="utf-8")) == _without_clock(theirs.read_text(encoding="utf-8"))


def test_a_new_title_renames_the_file_where_backlog_md_keeps_the_old_name(edited):
    # A deliberate difference (docs/interop.md): flowops keeps file names matching titles.
    theirs, ours = edited["title"]
    assert theirs.name == "task-2 - Rich.md"
    assert ours.name == "task-2 - Renamed-with-quotes-more.md"
