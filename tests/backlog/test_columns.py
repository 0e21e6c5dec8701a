"""The columns part (columns.py): a listing served from it says what the files say, and it is never stale."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest

from flowops.backlog import columns, store
from flowops.backlog.listing import Filters, fields_needed, select
from flowops.backlog.search import ROW_FIELDS_READ, search_rows
from flowops.backlog.store import Backlog, NewTask
from flowops.backlog.views import plain_list
from flowops.errors import StoreError

HOUR_NS = 3600 * 1_000_000_000


def _age(backlog: Backlog, seconds: int = 3600) -> None:
    """Date every task file back: a file modified just now is never cached by its key (racy.RACY_NS)."""
    then = time.time_ns() - seconds * 1_000_000_000
    for path in backlog.dir.rglob("*.md"):
        os.utime(path, ns=(then, then), follow_symlinks=False)


def _fill(backlog: Backlog) -> None:
    backlog.create(NewTask("Checkout latency", labels=["perf", "Web"], priority="high", acceptance_criteria=["p95 < 300 ms", "alerts"],
                           assignees=["@sara"], description="Keep the latency budget"))
    backlog.create(NewTask("Payment errors", status="In Progress", implementation_notes="budget burn found in notes", ordinal=2))
    backlog.create(NewTask("Subtask", parent="1", due_date="2026-12-01", ordinal=3, type="bug"))
    backlog.create(NewTask("Done already", status="Done", priority="low"))
    backlog.create(NewTask("Draft idea", draft=True))
    tasks = backlog.folder_path("tasks")
    one = next(tasks.glob("task-2 *.md"))
    (tasks / "task-2 - Copy.md").write_bytes(one.read_bytes())  # a duplicate id
    (tasks / "task-9 - Broken.md").write_text("---\nid: TASK-9\ntitle: [unclosed\n---\n")  # no task: reported


def _warm(project, folders: tuple[str, ...] = ("tasks",), **options):
    """List twice: a listing with no cache at all reads every file and writes only the per-file parts; the next writes the columns part."""
    Backlog(project).rows(folders, **options)
    return Backlog(project).rows(folders, **options)


def _part_file(backlog: Backlog, folders: tuple[str, ...]) -> Path:
    assert backlog.project.cache_dir is not None
    return backlog.project.cache_dir / columns.part_name(folders)


def _no_slow_path(monkeypatch) -> None:
    """Make the per-file path fail: a listing that still works was served from the columns part."""
    def refuse(*_args, **_kwargs):
        raise AssertionError("read through the per-file parts")

    monkeypatch.setattr(Backlog, "_rows", refuse)


def _plain(listing) -> list[tuple]:
    return [(row.id, row.title, row.status, row.priority, row.type, row.ac_total, row.ac_completed, row.due_date) for row in listing.rows]


@pytest.mark.parametrize("folders", [("tasks",), ("tasks", "completed", "drafts")])
def test_a_listing_is_served_from_the_columns_part_once_written_and_says_the_same(backlog_project, monkeypatch, folders):
    project, backlog = backlog_project
    _fill(backlog)
    _age(backlog)
    assert not _part_file(backlog, folders).exists()
    Backlog(project).rows(folders)  # no cache at all: every file is read, the columns part is not written yet
    assert not _part_file(backlog, folders).exists()
    first = Backlog(project).rows(folders)  # no part: the per-file path, which writes it
    assert _part_file(backlog, folders).exists()
    with monkeypatch.context() as patch:
        _no_slow_path(patch)
        served = Backlog(project).rows(folders)
    assert served == first  # every field (no ``fields``: all of them), order, duplicates, unreadable files
    assert served.duplicates and [bad.path.name for bad in served.bad] == ["task-9 - Broken.md"]


def test_a_part_for_other_folders_is_not_used(backlog_project, monkeypatch):
    project, backlog = backlog_project
    _fill(backlog)
    _age(backlog)
    _warm(project)
    _no_slow_path(monkeypatch)
    with pytest.raises(AssertionError, match="per-file"):
        Backlog(project).rows(("tasks", "completed"))


@pytest.mark.parametrize("in_child", [False, True])
def test_an_in_place_edit_of_the_same_size_is_never_served_stale(backlog_project, monkeypatch, in_child):
    # The stat of every file runs in a forked child on large backlogs: both ways must see it.
    monkeypatch.setattr(store, "CHECK_IN_CHILD_FROM", 0 if in_child else 10**9)
    project, backlog = backlog_project
    task = backlog.create(NewTask("Cached"))
    _age(backlog)
    _warm(project)
    assert [r.title for r in Backlog(project).rows().rows] == ["Cached"]  # served from the part
    data = task.path.read_bytes().replace(b"title: Cached", b"title: Cachet")
    with open(task.path, "r+b") as handle:  # in place, as an editor may: same inode, same size
        handle.write(data)
    stamp = time.time_ns() - HOUR_NS + 1_000  # still old, but not the mtime the part holds
    os.utime(task.path, ns=(stamp, stamp))
    assert [r.title for r in Backlog(project).rows().rows] == ["Cachet"]
    assert [r.title for r in Backlog(project).rows().rows] == ["Cachet"]  # and the part was rewritten with it


def test_added_removed_and_renamed_files_are_seen(backlog_project):
    project, backlog = backlog_project
    _fill(backlog)
    _age(backlog)
    _warm(project)
    backlog.create(NewTask("New one"))
    assert "New one" in [r.title for r in Backlog(project).rows().rows]
    tasks = backlog.folder_path("tasks")
    next(tasks.glob("task-2 - Copy.md")).rename(tasks / "task-2 - Moved.md")
    _age(backlog)
    assert set(Backlog(project).rows().duplicates["TASK-2"]) == {next(tasks.glob("task-2 - P*.md")), tasks / "task-2 - Moved.md"}
    (tasks / "task-2 - Moved.md").unlink()
    assert Backlog(project).rows().duplicates == {}


def test_a_racy_file_is_cached_by_no_part_so_a_second_write_with_the_same_key_is_seen(backlog_project):
    # A file modified within the timestamp granularity of the moment it was read may be
    # written again keeping size and mtime: nothing may remember it by that key.
    project, backlog = backlog_project
    task = backlog.create(NewTask("First"))
    now = time.time_ns()
    os.utime(task.path, ns=(now, now))
    assert [r.title for r in Backlog(project).rows().rows] == ["First"]
    assert not _part_file(backlog, ("tasks",)).exists()
    rows_file = backlog.project.cache_dir / "tasks-rows.json"
    assert not rows_file.exists() or "First" not in rows_file.read_text()
    task.path.write_bytes(task.path.read_bytes().replace(b"title: First", b"title: Other"))
    os.utime(task.path, ns=(now, now))  # the same size and mtime as when it was read
    assert [r.title for r in Backlog(project).rows().rows] == ["Other"]
    # Once older than the granularity it is cached, and served from the part.
    _age(backlog)
    _warm(project)
    assert _part_file(backlog, ("tasks",)).exists()


def test_a_racy_file_read_in_a_cold_listing_is_not_cached_either(backlog_project):
    project, backlog = backlog_project
    for n in range(3):
        backlog.create(NewTask(f"Task {n}"))
    _age(backlog)
    fresh = backlog.create(NewTask("Fresh"))
    now = time.time_ns()
    os.utime(fresh.path, ns=(now, now))
    Backlog(project).rows()  # cold: the readers' entries are adopted, but not the racy one
    cached = json.loads((backlog.project.cache_dir / "tasks-rows.json").read_text())
    assert len(cached["paths"]) == 3 and not any("Fresh" in path for path in cached["paths"])


@pytest.mark.parametrize("damage", ["garbage", "truncated", "short column", "wrong type", "foreign version", "other backlog",
                                    "other byte order"])
def test_a_damaged_or_foreign_part_changes_nothing_but_speed(backlog_project, damage):
    project, backlog = backlog_project
    _fill(backlog)
    _age(backlog)
    expected = _warm(project, ("tasks", "completed"), text=True)
    part = _part_file(backlog, ("tasks", "completed"))
    data = part.read_bytes()
    head, _, body = data.partition(b"\n")
    header = json.loads(head)
    if damage == "garbage":
        data = b"\x00{not json\n" + body
    elif damage == "truncated":
        data = data[: len(data) // 2]
    elif damage == "short column":
        start, end = header["at"]["title"]
        body = body[:start] + b'["Forged"]' + b" " * (end - start - 10) + body[end:]
        data = head + b"\n" + body
    elif damage == "wrong type":
        start, end = header["at"]["names"]
        body = body[:start] + b"[1]" + b" " * (end - start - 3) + body[end:]
        data = head + b"\n" + body
    else:
        key, value = {"foreign version": ("version", "0.0.0-other"), "other backlog": ("base", "/elsewhere/backlog"),
                      "other byte order": ("byteorder", "big" if header["byteorder"] == "little" else "little")}[damage]
        header[key] = value
        data = json.dumps(header).encode() + b"\n" + body
    part.write_bytes(data)
    assert Backlog(project).rows(("tasks", "completed"), text=True) == expected
    part.unlink()
    assert Backlog(project).rows(("tasks", "completed"), text=True) == expected


def test_a_forged_row_in_a_foreign_part_is_never_shown(backlog_project):
    project, backlog = backlog_project
    backlog.create(NewTask("Real"))
    _age(backlog)
    _warm(project)
    part = _part_file(backlog, ("tasks",))
    head, _, body = part.read_bytes().partition(b"\n")
    header = json.loads(head)
    forged = body.replace(b'"Real"', b'"Fake"')
    header["version"] = "0.0.0-other"
    part.write_bytes(json.dumps(header).encode() + b"\n" + forged)
    assert [r.title for r in Backlog(project).rows().rows] == ["Real"]


def test_rows_with_only_the_fields_a_listing_reads_print_what_whole_rows_print(backlog_project):
    project, backlog = backlog_project
    _fill(backlog)
    _age(backlog)
    statuses = backlog.config.statuses
    folders = ("tasks", "completed", "drafts")
    whole = _warm(project, folders)
    cases = [(Filters(), s) for s in ("priority", "id", "updated", "ordinal")] + [
        (Filters(assignee="sara"), "priority"), (Filters(labels=["web"]), "priority"), (Filters(priority="high"), "id"),
        (Filters(statuses=["Done"]), "priority"), (Filters(parent="TASK-1"), "priority")]
    for filters, sort in cases:
        served = Backlog(project).rows(folders, fields=fields_needed(filters, sort))
        assert all(row.labels is None for row in served.rows) == (not filters.labels)  # only what was asked for
        for flat in ("grouped", "priority_flat"):
            expected = plain_list(select(whole.rows, filters, sort=sort), statuses, sort=flat)
            got = plain_list(select(served.rows, filters, sort=sort, id_ordered=served.id_ordered), statuses, sort=flat)
            assert got == expected, (filters, sort, flat)


def test_ids_of_several_prefixes_are_sorted_by_id_again(backlog_project, monkeypatch):
    # The part's order is the store's (prefix first); listing.id_key sorts by number alone.
    project, backlog = backlog_project
    backlog.create(NewTask("Ten"))
    tasks = backlog.folder_path("tasks")
    one = next(tasks.glob("task-1 *.md"))
    (tasks / "ops-2 - Other.md").write_bytes(one.read_bytes().replace(b"id: TASK-1", b"id: OPS-2").replace(b"title: Ten", b"title: Ops"))
    _age(backlog)
    first = _warm(project)
    assert not first.id_ordered and [row.id for row in first.rows] == ["OPS-2", "TASK-1"]
    _no_slow_path(monkeypatch)
    served = Backlog(project).rows(fields=fields_needed(Filters(), "id"))
    assert [row.id for row in select(served.rows, Filters(), sort="id", id_ordered=served.id_ordered)] == ["TASK-1", "OPS-2"]


def test_search_over_the_part_finds_and_ranks_what_search_over_the_files_does(backlog_project, monkeypatch):
    project, backlog = backlog_project
    _fill(backlog)
    _age(backlog)
    folders = ("tasks", "completed")
    cold = _warm(project, folders, text=True)
    _no_slow_path(monkeypatch)
    served = Backlog(project).rows(folders, text=True, fields=ROW_FIELDS_READ)
    assert served.texts == cold.texts
    for query in ("latency", "budget", "latency budget", "web", "perf", "task-1", "errors payment", "nothing-here"):
        expected = [(h.score, h.item.id) for h in search_rows(cold.rows, cold.texts or [], [], query)]
        got = search_rows(served.rows, served.texts or [], [], query)
        assert [(h.score, h.item.id) for h in got] == expected


def test_text_holding_every_separator_is_not_kept_in_the_part_and_is_still_searched(backlog_project):
    project, backlog = backlog_project
    backlog.create(NewTask("Odd", description="a\x1eb\x1fc\x1dd\x1ce latency"))
    _age(backlog)
    folders = ("tasks", "completed")
    first = _warm(project, folders, text=True)
    loaded = columns.load(_part_file(backlog, folders), str(backlog.dir), folders)
    assert loaded is not None and not loaded.has_text
    again = Backlog(project).rows(folders, text=True)
    assert again.texts == first.texts
    assert [h.item.title for h in search_rows(again.rows, again.texts or [], [], "latency")] == ["Odd"]


def test_the_file_check_answers_changed_when_the_child_fails(backlog_project, monkeypatch):
    # A child that dies before answering counts as "changed": the per-file path runs.
    monkeypatch.setattr(store, "CHECK_IN_CHILD_FROM", 0)
    project, backlog = backlog_project
    backlog.create(NewTask("Cached"))
    _age(backlog)
    _warm(project)

    def die(self, folders):
        raise StoreError("scan failed")

    monkeypatch.setattr(Backlog, "_scan_folders", die)
    calls = []
    monkeypatch.setattr(Backlog, "_rows", lambda self, *args: calls.append(args) or "read afresh")
    assert Backlog(project).rows() == "read afresh" and calls


def test_on_a_change_the_child_hands_its_scan_over_so_the_files_are_not_stat_again(backlog_project, monkeypatch):
    monkeypatch.setattr(store, "CHECK_IN_CHILD_FROM", 0)
    project, backlog = backlog_project
    task = backlog.create(NewTask("Cached"))
    backlog.create(NewTask("Other"))
    _age(backlog)
    _warm(project)
    task.path.write_bytes(task.path.read_bytes().replace(b"title: Cached", b"title: Cachet"))
    stamp = time.time_ns() - HOUR_NS + 1_000
    os.utime(task.path, ns=(stamp, stamp))
    scans = []
    original = Backlog._scan_folders

    def counted(self, *args, **kwargs):
        scans.append(os.getpid())
        return original(self, *args, **kwargs)

    monkeypatch.setattr(Backlog, "_scan_folders", counted)
    assert sorted(r.title for r in Backlog(project).rows().rows) == ["Cachet", "Other"]
    assert os.getpid() not in scans  # the child's scan (in its own process) was reused


def test_after_a_few_edits_the_per_file_parts_are_left_and_the_edited_files_read_again(backlog_project):
    project, backlog = backlog_project
    first = backlog.create(NewTask("First"))
    second = backlog.create(NewTask("Second"))
    _age(backlog)
    _warm(project)
    rows_file = backlog.project.cache_dir / "tasks-rows.json"
    saved = rows_file.read_bytes()
    for task, old, new in ((first, b"title: First", b"title: Fyrst"), (second, b"title: Second", b"title: Secund")):
        task.path.write_bytes(task.path.read_bytes().replace(old, new))
        stamp = time.time_ns() - HOUR_NS + 1_000
        os.utime(task.path, ns=(stamp, stamp))
        titles = sorted(r.title for r in Backlog(project).rows().rows)
        assert rows_file.read_bytes() == saved  # one file read: the columns part is rewritten, not the per-file parts
    assert titles == ["Fyrst", "Secund"]
    assert sorted(r.title for r in Backlog(project).rows().rows) == ["Fyrst", "Secund"]
