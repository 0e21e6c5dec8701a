"""A file changed within the mtime's granularity of being read is never served from a cache.

A file rewritten at the same size within the clock tick after it was read keeps its key
(size, mtime_ns). The store caches what it read only when the file's mtime is older than
store.RACY_NS before the read, so such a file is read again next time. These tests open the
window the other tests close (conftest), and rewrite files keeping size and mtime exactly,
as a second write within the same tick would.
"""

from __future__ import annotations

import json
import os
import time

import pytest

from flowops.backlog import bulkread, store
from flowops.backlog.store import Backlog, NewTask


@pytest.fixture
def racy_window(monkeypatch):
    monkeypatch.setattr(store, "RACY_NS", 2_000_000_000)


def _rewrite_keeping_key(path, old: bytes, new: bytes) -> None:
    """Replace ``old`` by ``new`` (same length) in ``path`` and give it back its size and mtime."""
    assert len(old) == len(new)
    st = os.stat(path)
    path.write_bytes(path.read_bytes().replace(old, new))
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert (os.stat(path).st_size, os.stat(path).st_mtime_ns) == (st.st_size, st.st_mtime_ns)


def _age(path, seconds: int = 10) -> None:
    then = time.time_ns() - seconds * 1_000_000_000
    os.utime(path, ns=(then, then))


def _index_paths(project) -> set[str]:
    file = project.cache_dir / "tasks-index.json"
    return set(json.loads(file.read_text())["paths"]) if file.exists() else set()


@pytest.mark.parametrize("parallel", [True, False])
def test_a_task_changed_within_the_window_is_read_again_not_served_stale(backlog_project, racy_window, monkeypatch, parallel):
    project, backlog = backlog_project
    tasks = [backlog.create(NewTask(f"Task {n}", acceptance_criteria=["Logging works"])) for n in range(6)]
    for task in tasks[1:]:
        _age(task.path)
    monkeypatch.setattr(bulkread, "PARALLEL_THRESHOLD", 2 if parallel else 10**9)
    assert [t.title for t in Backlog(project).load().tasks][0] == "Task 0"
    cached = _index_paths(project)
    assert str(tasks[0].path) not in cached and {str(t.path) for t in tasks[1:]} <= cached
    _rewrite_keeping_key(tasks[0].path, b"title: Task 0", b"title: Fast 0")
    _rewrite_keeping_key(tasks[1].path, b"title: Task 1", b"title: Fast 1")  # aged: served from the index
    titles = [t.title for t in Backlog(project).load().tasks]
    assert titles[0] == "Fast 0" and titles[1] == "Task 1"


def test_without_the_window_the_same_rewrite_would_be_served_stale(backlog_project, monkeypatch):
    # What the window prevents (and why this key alone is not enough): RACY_NS = 0.
    project, backlog = backlog_project
    task = backlog.create(NewTask("Task 0"))
    monkeypatch.setattr(store, "RACY_NS", 0)
    Backlog(project).load()
    _rewrite_keeping_key(task.path, b"title: Task 0", b"title: Fast 0")
    assert [t.title for t in Backlog(project).load().tasks] == ["Task 0"]


def test_a_partly_cached_load_does_not_cache_a_task_changed_within_the_window(backlog_project, racy_window):
    project, backlog = backlog_project
    old = backlog.create(NewTask("Old"))
    _age(old.path)
    Backlog(project).load()  # the index now holds the old task: the next load is not a cold one
    fresh = backlog.create(NewTask("Fresh"))
    assert [t.title for t in Backlog(project).load().tasks] == ["Old", "Fresh"]
    assert _index_paths(project) == {str(old.path)}
    _rewrite_keeping_key(fresh.path, b"title: Fresh", b"title: Fresk")
    assert [t.title for t in Backlog(project).load().tasks] == ["Old", "Fresk"]


@pytest.mark.parametrize("parallel", [True, False])
@pytest.mark.parametrize("warm", [False, True])
def test_listing_rows_are_not_cached_for_a_task_changed_within_the_window(backlog_project, racy_window, monkeypatch, parallel, warm):
    project, backlog = backlog_project
    tasks = [backlog.create(NewTask(f"Task {n}")) for n in range(6)]
    for task in tasks[1:]:
        _age(task.path)
    monkeypatch.setattr(bulkread, "PARALLEL_THRESHOLD", 2 if parallel else 10**9)
    if warm:  # the rows parts hold every task, then the first changes: it is read and put, not adopted
        _age(tasks[0].path)
        Backlog(project).rows(text=True)
        now = time.time_ns()
        os.utime(tasks[0].path, ns=(now, now))
    assert [r.title for r in Backlog(project).rows(text=True).rows][0] == "Task 0"
    _rewrite_keeping_key(tasks[0].path, b"title: Task 0", b"title: Fast 0")
    listing = Backlog(project).rows(text=True)
    assert [r.title for r in listing.rows][0] == "Fast 0" and listing.texts is not None


def test_ac_lint_reads_a_criterion_changed_within_the_window_again(backlog_project, racy_window, monkeypatch):
    from flowops.acceptance.check import lint_backlog
    from flowops.plugins import build_plugins

    monkeypatch.delenv("FLOWOPS_LOAD_PLUGINS", raising=False)
    monkeypatch.delenv("FLOWOPS_DISABLE_PLUGINS", raising=False)
    project, backlog = backlog_project
    task = backlog.create(NewTask("Only", acceptance_criteria=["Logging works"]))
    first, _bad = lint_backlog(Backlog(project), build_plugins(entry_points=lambda: []), project.cache_dir)
    assert [h.finding.rule for h in first.hits] == ["no-measurable-element", "vague-predicate"]
    _rewrite_keeping_key(task.path, b"Logging works", b"Latency 300ms")
    second, _bad = lint_backlog(Backlog(project), build_plugins(entry_points=lambda: []), project.cache_dir)
    assert second.hits == []
