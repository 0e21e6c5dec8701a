"""One id allocator for tasks, drafts, documents and decisions: past the highest id in use, under the kind's create lock."""

from __future__ import annotations

import subprocess
import sys

import pytest

from flowops.backlog.decisions import Decisions
from flowops.backlog.documents import Documents
from flowops.backlog.ids import IdAllocator
from flowops.backlog.store import NewTask

USED = [("task", (3,)), ("task", (7, 1)), ("task", (7, 2)), ("task", (2, 5, 1)), ("draft", (4,)), ("doc", (2, 1))]


@pytest.mark.parametrize(
    "prefix,parent,expected",
    [
        ("task", (), (8,)),  # past TASK-7.x: a subtask keeps its parent's number taken
        ("task", (7,), (7, 3)),  # past its siblings
        ("task", (3,), (3, 1)),  # a first subtask
        ("task", (2, 5), (2, 5, 2)),  # a subtask of a subtask
        ("draft", (), (5,)),  # drafts count apart from tasks
        ("doc", (), (3,)),
        ("decision", (), (1,)),  # nothing in use yet
    ],
)
def test_a_new_id_is_one_past_the_highest_of_its_kind(prefix, parent, expected):
    assert IdAllocator(USED).next(prefix, parent) == expected


def test_ids_handed_out_count_as_used():
    ids = IdAllocator(USED)
    assert [ids.next("task"), ids.next("task"), ids.next("task", (9,)), ids.next("task", (9,))] == [(8,), (9,), (9, 1), (9, 2)]


def test_ids_added_later_are_taken_too():
    ids = IdAllocator(USED)
    assert ids.next("task") == (8,)
    ids.add([("task", (20,))])
    assert ids.next("task") == (21,)


def test_archived_task_ids_are_never_reused(backlog_project):
    _project, backlog = backlog_project
    first = backlog.create(NewTask("First"))
    backlog.create(NewTask("Second"))
    backlog.archive("2")
    assert first.id == "TASK-1" and backlog.create(NewTask("Third")).id == "TASK-3"


def test_documents_and_decisions_are_numbered_past_the_highest_in_use(backlog_project):
    _project, backlog = backlog_project
    (backlog.dir / "docs" / "doc-4 - Old.md").write_text("---\nid: doc-4\ntitle: Old\ntype: other\ncreated_date: '2026-01-01'\n---\n")
    (backlog.dir / "decisions").mkdir(exist_ok=True)
    decision = "---\nid: decision-9\ntitle: Old\ndate: '2026-01-01'\nstatus: accepted\n---\n"
    (backlog.dir / "decisions" / "decision-9 - Old.md").write_text(decision)
    assert Documents(backlog).create("New").id == "doc-5"
    assert Decisions(backlog).create("New").id == "decision-10"


CREATE_DOCS_AND_DECISIONS = """
import sys
from flowops.backlog.decisions import Decisions
from flowops.backlog.documents import Documents
from flowops.backlog.store import load_backlog
backlog = load_backlog(sys.argv[1])
for n in range(int(sys.argv[3])):
    Documents(backlog).create(f"doc {sys.argv[2]} {n}")
    Decisions(backlog).create(f"decision {sys.argv[2]} {n}")
"""


@pytest.mark.slow
def test_four_processes_creating_documents_and_decisions_get_distinct_ids(backlog_project):
    project, backlog = backlog_project
    workers = [subprocess.Popen([sys.executable, "-c", CREATE_DOCS_AND_DECISIONS, str(project.root), str(w), "10"]) for w in range(4)]
    assert [w.wait(timeout=300) for w in workers] == [0] * 4
    documents, bad_documents = Documents(backlog).list()
    decisions, bad_decisions = Decisions(backlog).list()
    assert bad_documents == [] and bad_decisions == []
    assert sorted(d.id for d in documents) == sorted(f"doc-{n}" for n in range(1, 41))
    assert sorted(d.id for d in decisions) == sorted(f"decision-{n}" for n in range(1, 41))


def _every_name_id(backlog) -> list[tuple[str, tuple[int, ...]]]:
    """The full list the allocator used to get: one (prefix, parts) per file name, by the naming module's parser."""
    from flowops.backlog.naming import id_from_filename

    folders = [backlog.folder_path(f) for f in ("tasks", "completed", "drafts", "archive")] + [backlog.dir / "archive" / "drafts"]
    found = [id_from_filename(p.name) for folder in folders if folder.is_dir() for p in folder.iterdir()]
    return [(i.prefix, i.parts) for i in found if i is not None]


def test_the_ids_in_use_hand_out_what_every_file_name_would(backlog_project):
    # _used_ids keeps one highest number per prefix plus every subtask id: the allocator
    # must hand out exactly what it would from one entry per file name.
    _project, backlog = backlog_project
    names = {
        "tasks": ["task-3 - A.md", "task-0012 - Padded.md", "task-7.1 - Sub.md", "TASK-2.5.1 - Deep.md", "notes.txt", "task-x - Bad.md"],
        "completed": ["task-9.md", "task-7.2 - Sub.md"],
        "drafts": ["draft-4 - D.md"],
        "archive": ["task-15 - Old.md", "task-16.3 - Old sub.md"],
    }
    for folder, files in names.items():
        base = backlog.folder_path(folder)
        base.mkdir(parents=True, exist_ok=True)
        for name in files:
            (base / name).write_text("---\n---\n")
    (backlog.dir / "archive" / "drafts").mkdir(parents=True, exist_ok=True)
    (backlog.dir / "archive" / "drafts" / "draft-8 - Gone.md").write_text("")
    wanted = [("task", ()), ("task", (7,)), ("task", (16,)), ("task", (2, 5)), ("task", (3,)), ("draft", ()), ("doc", ())]
    reference, collapsed = IdAllocator(_every_name_id(backlog)), IdAllocator(backlog._used_ids())
    assert [collapsed.next(*w) for w in wanted] == [reference.next(*w) for w in wanted]
    assert IdAllocator(backlog._used_ids()).next("task") == (17,) and IdAllocator(backlog._used_ids()).next("draft") == (9,)
