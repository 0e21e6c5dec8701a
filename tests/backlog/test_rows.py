"""Listing rows (rows.py) say exactly what the whole tasks say, cached or not, and are never stale."""

from __future__ import annotations

import json
import os
import shutil
import time

import pytest

from flowops.backlog import store
from flowops.backlog.listing import Filters, select
from flowops.backlog.naming import id_parts
from flowops.backlog.rows import Row
from flowops.backlog.search import search, search_rows
from flowops.backlog.store import Backlog, NewTask
from flowops.backlog.views import plain_list

# A file in a layout only the general parser reads (a block scalar, a comment, a legacy heading).
UNUSUAL = """---
id: task-40
title: >-
  Folded title
  on two lines
status: In Progress
# a comment the fast reader refuses
labels: [ops, 'urgent']
priority: HIGH
ordinal: 2.5
created_date: '2026-01-02'
---

## Description

Written by hand, with the latency budget in it.

## Acceptance Criteria

- [x] #1 First
- [ ] #2 Second
"""


def _fill(backlog: Backlog) -> None:
    backlog.create(NewTask("Checkout latency", labels=["perf"], priority="high", acceptance_criteria=["p95 < 300 ms", "alerts"],
                           assignees=["@sara"], description="Keep the latency budget"))
    backlog.create(NewTask("Payment errors", status="In Progress", implementation_notes="budget burn found in notes"))
    backlog.create(NewTask("Subtask", parent="1", due_date="2026-12-01", ordinal=3))
    backlog.create(NewTask("Draft idea", draft=True))
    backlog.update("1", lambda t: setattr(t.acceptance_criteria[0], "checked", True))
    tasks = backlog.folder_path("tasks")
    (tasks / "task-40 - Unusual.md").write_text(UNUSUAL)
    (tasks / "task-41 - Broken.md").write_text("---\nid: TASK-41\ntitle: [unclosed\n---\n")
    one = next(tasks.glob("task-2 *.md"))
    (tasks / "task-2 - Copy.md").write_bytes(one.read_bytes())  # a duplicate id


def _age(backlog: Backlog, seconds: int = 3600) -> None:
    """Date every task file ``seconds`` back: a file modified just now is not cached by its key (racy.RACY_NS)."""
    then = time.time_ns() - seconds * 1_000_000_000
    for path in backlog.dir.rglob("*.md"):
        os.utime(path, ns=(then, then), follow_symlinks=False)


def _as_rows(backlog: Backlog, folders: tuple[str, ...]) -> list[tuple]:
    listing = backlog.load(folders)
    return [
        (t.id, t.title, t.status, t.priority, t.type, t.ac_total, t.ac_completed, t.due_date, list(t.labels), list(t.assignees),
         t.parent_task_id, t.ordinal, t.created_date, t.updated_date)
        for t in listing.tasks
    ]


@pytest.mark.parametrize("folders", [("tasks",), ("tasks", "completed", "drafts")])
def test_rows_hold_what_the_whole_tasks_hold_cold_and_warm(backlog_project, folders):
    project, backlog = backlog_project
    _fill(backlog)
    expected = _as_rows(Backlog(project), folders)
    whole = Backlog(project).load(folders)
    for attempt in ("cold", "warm"):
        listing = Backlog(project).rows(folders)
        assert [tuple(row)[:-1] for row in listing.rows] == expected, attempt
        assert all(row.id_sort == ([p[0], list(p[1])] if (p := id_parts(row.id)) else None) for row in listing.rows)
        assert [(b.path, b.reason, b.line) for b in listing.bad] == [(b.path, b.reason, b.line) for b in whole.bad]
        assert listing.duplicates == whole.duplicates and list(listing.duplicates) == ["TASK-2"]
    assert any(row.title == "Folded title on two lines" and row.ordinal == 2.5 for row in listing.rows)


@pytest.mark.parametrize("sort", ["priority", "id", "updated", "ordinal"])
def test_a_plain_listing_of_rows_prints_what_the_tasks_print(backlog_project, sort):
    project, backlog = backlog_project
    _fill(backlog)
    statuses = backlog.config.statuses
    for filters in (Filters(), Filters(labels=["perf"]), Filters(statuses=["In Progress"]), Filters(parent="TASK-1")):
        tasks = select(Backlog(project).load().tasks, filters, sort=sort)
        rows = select(Backlog(project).rows().rows, filters, sort=sort)
        assert plain_list(rows, statuses, sort="grouped") == plain_list(tasks, statuses, sort="grouped")
        assert plain_list(rows, statuses, sort="priority_flat") == plain_list(tasks, statuses, sort="priority_flat")


@pytest.mark.parametrize("query", ["latency budget", "budget", "PERF", "task-4", "first second", "nothing-like-this", "in progress"])
def test_search_over_rows_finds_and_ranks_what_search_over_tasks_does(backlog_project, query):
    project, backlog = backlog_project
    _fill(backlog)
    folders = ("tasks", "completed")
    tasks = Backlog(project).load(folders).tasks
    for _attempt in ("cold", "warm"):
        listing = Backlog(project).rows(folders, text=True)
        assert listing.texts is not None
        by_rows = [(h.kind, h.score, h.item.id) for h in search_rows(listing.rows, listing.texts, [], query)]
        by_tasks = [(h.kind, h.score, h.item.id) for h in search(tasks, [], query)]
        assert by_rows == by_tasks


def test_a_changed_file_is_never_served_from_the_rows_cache(backlog_project):
    project, backlog = backlog_project
    task = backlog.create(NewTask("Cached"))
    assert [r.title for r in backlog.rows().rows] == ["Cached"]
    assert Backlog(project).rows(text=True).texts == [["", "\n\n\n\nto do"]]  # plan, notes, summary, assignees, status
    # Same size, new content, a later mtime: the per-file key catches it.
    task.path.write_bytes(task.path.read_bytes().replace(b"title: Cached", b"title: Cachet"))
    os.utime(task.path, ns=(time.time_ns(), time.time_ns() + 1000))
    fresh = Backlog(project).rows(text=True)
    assert [r.title for r in fresh.rows] == ["Cachet"]
    task.path.unlink()
    assert Backlog(project).rows(text=True).rows == []


def test_deleting_or_corrupting_the_rows_cache_changes_nothing_but_speed(backlog_project):
    project, backlog = backlog_project
    for n in range(4):
        backlog.create(NewTask(f"Task {n}", labels=["x"], acceptance_criteria=["c"]))
    _age(backlog)
    warm = Backlog(project).rows(text=True)
    assert (project.cache_dir / "tasks-rows.json").exists() and (project.cache_dir / "tasks-text.json").exists()
    (project.cache_dir / "tasks-rows.json").write_bytes(b"{not json")
    assert Backlog(project).rows(text=True) == warm
    shutil.rmtree(project.cache_dir)
    assert Backlog(project).rows(text=True) == warm


def test_rows_cached_for_another_backlog_folder_are_not_used(backlog_project):
    project, backlog = backlog_project
    backlog.create(NewTask("Real"))
    _age(backlog)
    backlog.rows()
    rows_file = project.cache_dir / "tasks-rows.json"
    document = json.loads(rows_file.read_text())
    document["base"] = "/somewhere/else/backlog"
    document["records"] = [["TASK-1", "Forged", "Done"] + [None] * 2 + [0, 0] + [None, [], [], None, None, "", None, ["task", [1]]]]
    rows_file.write_text(json.dumps(document))
    assert [r.title for r in Backlog(project).rows().rows] == ["Real"]


def test_a_row_has_every_field_a_listing_reads_from_a_task():
    from flowops.backlog.model import Task

    listed = {"id", "title", "status", "priority", "type", "ac_total", "ac_completed", "due_date", "labels", "assignees",
              "parent_task_id", "ordinal", "created_date", "updated_date"}
    assert set(Row._fields) == listed | {"id_sort"}  # and the id's sort parts, cached
    assert all(hasattr(Task("TASK-1", "t"), name) for name in listed)


def _cached(project, name: str) -> dict:
    document = json.loads((project.cache_dir / name).read_text())
    return {path: (key, value) for path, key, value in zip(document["paths"], document["keys"], document["records"], strict=True)}


@pytest.mark.parametrize("bad_files", [True, False])
@pytest.mark.parametrize("parallel", [True, False])
def test_a_cold_listing_caches_what_a_file_by_file_listing_caches(backlog_project, monkeypatch, parallel, bad_files):
    # With no cache the readers key each file by the fstat of the file they opened and
    # encode the cache's JSON themselves; both parts must hold what the put path holds.
    # With no bad file among a reader's files, the text part reuses the rows part's JSON
    # of the paths and keys (store._row_batch); with one, it has fewer entries than the rows.
    from flowops.backlog import bulkread

    project, backlog = backlog_project
    _fill(backlog)
    tasks = backlog.folder_path("tasks")
    if bad_files:
        (tasks / "task-42 - Link.md").symlink_to(tasks / "task-40 - Unusual.md")  # refused, keyed by its lstat
    else:
        (tasks / "task-41 - Broken.md").unlink()
    _age(backlog)
    monkeypatch.setattr(bulkread, "PARALLEL_THRESHOLD", 2 if parallel else 10**9)
    monkeypatch.setattr(store, "PER_FILE_SAVE_FROM", 0)  # the warm path below saves the per-file parts again
    folders = ("tasks", "completed", "drafts")
    cold = Backlog(project).rows(folders, text=True)
    rows, texts = _cached(project, "tasks-rows.json"), _cached(project, "tasks-text.json")
    for path, (key, _value) in rows.items():
        st = os.lstat(backlog.dir / path)
        assert key == [st.st_size, st.st_mtime_ns], path
    if bad_files:
        assert rows["tasks/task-42 - Link.md"][1][:2] == ["bad", cold.bad[-1].reason] and "symbolic link" in cold.bad[-1].reason
        assert len(texts) == len(rows) - 2
    else:
        assert not cold.bad and list(texts) == list(rows) and [k for k, _t in texts.values()] == [k for k, _r in rows.values()]
    # The same parts through the warm path: one entry missing, so the rest are put one by one.
    document = json.loads((project.cache_dir / "tasks-rows.json").read_text())
    for key in ("paths", "keys", "records"):
        document[key] = document[key][1:]
    (project.cache_dir / "tasks-rows.json").write_text(json.dumps(document))
    (project.cache_dir / "tasks-text.json").unlink()
    warm = Backlog(project).rows(folders, text=True)
    assert warm == cold
    assert _cached(project, "tasks-rows.json") == rows and _cached(project, "tasks-text.json") == texts
    assert Backlog(project).rows(folders, text=True) == cold  # and served from them


@pytest.mark.parametrize("parallel", [True, False])
@pytest.mark.parametrize("query", ["latency budget", "budget", "PERF", "task-4", "nothing-like-this", "in progress"])
def test_a_cold_search_is_scored_by_the_readers_as_the_parent_scores_it(backlog_project, monkeypatch, parallel, query):
    from flowops.backlog import bulkread
    from flowops.backlog.search import rank_rows

    project, backlog = backlog_project
    _fill(backlog)
    _age(backlog)
    monkeypatch.setattr(bulkread, "PARALLEL_THRESHOLD", 2 if parallel else 10**9)
    folders = ("tasks", "completed")
    words = query.lower().split()
    cold, _ = Backlog(project).render_rows(folders, lambda listing: None, text=True, search=words)
    assert cold.scores is not None and len(cold.scores) == len(cold.rows) and cold.bad  # the broken file has no score
    by_readers = rank_rows(cold.rows, cold.texts or [], [], query, scores=cold.scores)
    assert by_readers == rank_rows(cold.rows, cold.texts or [], [], query)
    by_tasks = [(h.score, h.kind, h.item.id) for h in search(Backlog(project).load(folders).tasks, [], query)]
    assert [(score, kind, row.id) for score, kind, row in by_readers] == by_tasks
    # With a cache, or when only some files are read again, the parent scores: no readers' scores.
    assert Backlog(project).render_rows(folders, lambda listing: None, text=True, search=words)[0].scores is None
    one = next(backlog.folder_path("tasks").glob("task-1 *.md"))
    one.write_bytes(one.read_bytes().replace(b"Keep the latency budget", b"Keep the latency budgets"))
    os.utime(one, ns=(time.time_ns() - 10**12, time.time_ns() - 10**12))
    again = Backlog(project).render_rows(folders, lambda listing: None, text=True, search=words)[0]
    assert again.scores is None and len(again.rows) == len(cold.rows)
