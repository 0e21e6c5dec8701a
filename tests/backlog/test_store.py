from __future__ import annotations

import os
import time

import pytest

from flowops.backlog.store import NewTask
from flowops.errors import NotFoundError, StoreError, UsageError


def test_ids_are_allocated_one_above_the_highest_anywhere(backlog_project):
    _project, backlog = backlog_project
    first = backlog.create(NewTask("One"))
    second = backlog.create(NewTask("Two"))
    assert (first.id, second.id) == ("TASK-1", "TASK-2")
    assert first.path.name == "task-1 - One.md"


def test_archived_ids_are_never_reused(backlog_project):
    _project, backlog = backlog_project
    backlog.create(NewTask("One"))
    backlog.create(NewTask("Two"))
    backlog.archive("2")
    assert backlog.create(NewTask("Three")).id == "TASK-3"


def test_archived_subtask_ids_are_never_reused(backlog_project):
    _project, backlog = backlog_project
    backlog.create(NewTask("Parent"))
    backlog.create(NewTask("Sub one", parent="1"))
    backlog.create(NewTask("Sub two", parent="1"))
    backlog.archive("1.2")
    sub = backlog.create(NewTask("Sub three", parent="TASK-1"))
    assert sub.id == "TASK-1.3" and sub.parent_task_id == "TASK-1"


def test_prefix_and_zero_padding_from_config_are_honoured(backlog_project):
    project, backlog = backlog_project
    config = backlog.dir / "config.yml"
    config.write_text(config.read_text().replace('task_prefix: "task"', 'task_prefix: "eng"') + "zero_padded_ids: 3\n")
    from flowops.backlog.store import Backlog

    backlog = Backlog(project)
    task = backlog.create(NewTask("Padded"))
    sub = backlog.create(NewTask("Child", parent="1"))
    assert (task.id, sub.id) == ("ENG-001", "ENG-001.01")
    assert sub.path.name == "eng-001.01 - Child.md"
    assert backlog.get("eng-1").id == "ENG-001"


def test_ids_are_accepted_in_every_form(backlog_project):
    _project, backlog = backlog_project
    backlog.create(NewTask("Seven"))
    for text in ("1", "task-1", "TASK-1", " TASK-1 "):
        assert backlog.get(text).title == "Seven"
    with pytest.raises(NotFoundError):
        backlog.get("99")
    with pytest.raises(UsageError):
        backlog.get("not an id")


def test_an_edit_renames_the_file_with_the_title(backlog_project):
    _project, backlog = backlog_project
    task = backlog.create(NewTask("Old name"))
    update = backlog.update("1", lambda t: setattr(t, "title", "New name: better"))
    assert update.after.path.name == "task-1 - New-name-better.md"
    assert not task.path.exists() and update.after.path.exists()
    assert "title" in update.changed and update.after.updated_date


def test_an_edit_with_no_change_writes_nothing(backlog_project):
    _project, backlog = backlog_project
    task = backlog.create(NewTask("Same"))
    before = task.path.stat().st_mtime_ns
    time.sleep(0.01)
    update = backlog.update("1", lambda t: setattr(t, "title", "Same"))
    assert update.changed == [] and task.path.stat().st_mtime_ns == before


def test_a_bad_file_is_listed_as_bad_and_the_good_ones_still_come(backlog_project):
    project, backlog = backlog_project
    backlog.create(NewTask("Good"))
    tasks_dir = backlog.folder_path("tasks")
    (tasks_dir / "task-2 - Broken.md").write_text("---\nid: TASK-2\ntitle: [unclosed\n---\n")
    (tasks_dir / "task-3 - Binary.md").write_bytes(b"\x00\x01\x02")
    (tasks_dir / "task-4 - Latin1.md").write_bytes("---\nid: TASK-4\ntitle: caf\xe9\n---\n".encode("latin-1"))
    (tasks_dir / "task-5 - Empty.md").write_bytes(b"")
    (tasks_dir / "task-6 - Huge.md").write_bytes(b"---\nid: TASK-6\ntitle: big\n---\n" + b"x" * (5 * 1024 * 1024))
    (tasks_dir / "task-7 - Markers.md").write_text("---\nid: TASK-7\ntitle: m\n---\n\n"
                                                   "## Acceptance Criteria\n<!-- AC:BEGIN -->\n- [ ] #1 a\n")
    listing = backlog.load()
    assert [t.id for t in listing.tasks] == ["TASK-1"]
    reasons = {bad.path.name: bad.reason for bad in listing.bad}
    assert set(reasons) == {"task-2 - Broken.md", "task-3 - Binary.md", "task-4 - Latin1.md", "task-5 - Empty.md",
                            "task-6 - Huge.md", "task-7 - Markers.md"}
    assert "binary" in reasons["task-3 - Binary.md"] and "UTF-8" in reasons["task-4 - Latin1.md"]
    assert "empty" in reasons["task-5 - Empty.md"] and "MiB" in reasons["task-6 - Huge.md"]


def test_editing_a_bad_file_fails_clearly_and_leaves_it_byte_identical(backlog_project):
    _project, backlog = backlog_project
    path = backlog.folder_path("tasks") / "task-2 - Broken.md"
    path.write_text("---\nid: TASK-2\ntitle: [unclosed\n---\n")
    before = path.read_bytes()
    with pytest.raises(StoreError) as info:
        backlog.update("2", lambda t: setattr(t, "status", "Done"))
    assert "task-2 - Broken.md" in str(info.value)
    assert path.read_bytes() == before


def test_duplicate_ids_still_work_and_are_reported(backlog_project):
    _project, backlog = backlog_project
    task = backlog.create(NewTask("Original"))
    copy = task.path.with_name("task-1 - Copy.md")
    copy.write_bytes(task.path.read_bytes().replace(b"title: Original", b"title: Copy"))
    listing = backlog.load()
    assert list(listing.duplicates) == ["TASK-1"] and len(listing.duplicates["TASK-1"]) == 2
    task_file, others = backlog.locate("1")
    assert len(others) == 1


def test_the_cache_never_serves_a_changed_file(backlog_project):
    project, backlog = backlog_project
    task = backlog.create(NewTask("Cached"))
    assert backlog.load().tasks[0].title == "Cached"
    assert (project.cache_dir / "tasks-index.json").exists()
    # Same size, different content: the mtime_ns key catches it.
    text = task.path.read_bytes().replace(b"title: Cached", b"title: Cachet")
    task.path.write_bytes(text)
    os.utime(task.path, ns=(time.time_ns(), time.time_ns() + 1000))
    from flowops.backlog.store import Backlog

    assert Backlog(project).load().tasks[0].title == "Cachet"


def test_deleting_the_cache_changes_nothing_but_speed(backlog_project):
    import shutil

    project, backlog = backlog_project
    for n in range(5):
        backlog.create(NewTask(f"Task {n}", labels=["x"]))
    warm = [t.title for t in backlog.load().tasks]
    shutil.rmtree(project.cache_dir)
    from flowops.backlog.store import Backlog

    assert [t.title for t in Backlog(project).load().tasks] == warm


def test_a_corrupt_cache_is_ignored(backlog_project):
    project, backlog = backlog_project
    backlog.create(NewTask("One"))
    backlog.load()
    (project.cache_dir / "tasks-index.json").write_bytes(b"{not json")
    from flowops.backlog.store import Backlog

    assert [t.title for t in Backlog(project).load().tasks] == ["One"]


def test_large_listings_read_in_parallel_give_the_same_result(backlog_project, monkeypatch):
    from flowops.backlog import bulkread
    from flowops.backlog.store import Backlog

    project, backlog = backlog_project
    for n in range(30):
        backlog.create(NewTask(f"Task {n}", acceptance_criteria=[f"c{n}"]))
    (backlog.folder_path("tasks") / "task-99 - Bad.md").write_text("---\nnot: [closed\n---\n")
    serial = Backlog(project).load(use_cache=False)
    monkeypatch.setattr(bulkread, "PARALLEL_THRESHOLD", 2)
    parallel = Backlog(project).load(use_cache=False)
    assert [t.id for t in parallel.tasks] == [t.id for t in serial.tasks]
    assert [t.acceptance_criteria for t in parallel.tasks] == [t.acceptance_criteria for t in serial.tasks]
    assert [b.path for b in parallel.bad] == [b.path for b in serial.bad]


def test_drafts_get_draft_ids_and_live_in_drafts(backlog_project):
    _project, backlog = backlog_project
    draft = backlog.create(NewTask("Idea", draft=True))
    assert draft.id == "DRAFT-1" and draft.status == "Draft" and draft.path.parent.name == "drafts"
    assert backlog.get("draft-1").title == "Idea"


def test_unknown_status_is_a_usage_error_listing_the_statuses(backlog_project):
    _project, backlog = backlog_project
    with pytest.raises(UsageError) as info:
        backlog.create(NewTask("X", status="Shipped"))
    assert "To Do, In Progress, Done" in str(info.value)
    assert backlog.create(NewTask("Y", status="in progress")).status == "In Progress"


def test_lookups_through_one_backlog_see_its_own_creates_renames_and_moves(backlog_project):
    _project, backlog = backlog_project
    parent = backlog.create(NewTask("Parent"))
    assert backlog.subtasks(parent) == []  # the folder's names are now remembered
    child = backlog.create(NewTask("Child", parent=parent.id))
    assert [t.id for t in backlog.subtasks(parent)] == [child.id]
    backlog.update(child.id, lambda t: setattr(t, "title", "Renamed child"))
    assert backlog.get(child.id).title == "Renamed child"
    backlog.archive(child.id)
    assert backlog.subtasks(parent) == [] and backlog.get(child.id, ("archive",)).folder == "archive"


def test_marked_files_are_read_again_after_a_write_through_the_backlog(backlog_project):
    _project, backlog = backlog_project
    task = backlog.create(NewTask("Plain"))
    assert backlog.read_marked(("tasks",), b"ops:cicd") == []
    backlog.update(task.id, lambda t: t.labels.append("ops:cicd"))
    [(ref, raw)] = backlog.read_marked(("tasks",), b"ops:cicd")
    assert ref.name.startswith("task-1 ") and b"ops:cicd" in raw


def test_a_task_is_found_by_the_name_of_its_file_zero_padded_or_not_and_never_by_a_longer_number(tmp_path):
    from flowops.backlog.store import Backlog, init_layout
    from flowops.project import Project

    init_layout(tmp_path / "backlog", "test")
    backlog = Backlog(Project(tmp_path))
    for name in ("task-10 - Ten.md", "task-1.1 - Sub.md", "task-21 - Twenty-one.md", "TASK-0007 - Upper.md", "task-2.md\n"):
        (backlog.folder_path("tasks") / name).write_text("---\nid: X\n---\n")
    (backlog.folder_path("completed") / "task-01 - Done.md").write_text("---\n---\n")
    assert [ref.name for ref in backlog._candidates(backlog.parse_id("1"), ("tasks", "completed"))] == ["task-01 - Done.md"]
    assert not backlog.named("TASK-1", ("tasks",))
    assert backlog.named("TASK-1", ("tasks", "completed")) and backlog.named("task-7") and backlog.named("1.1")
    assert not backlog.named("TASK-2") and not backlog.named("TASK-10.1")
    assert backlog.named("draft-3") is False  # drafts are looked for in drafts/, which is empty


def _index_entries(project) -> dict:
    import json

    document = json.loads((project.cache_dir / "tasks-index.json").read_text())
    return {path: (key, record) for path, key, record in zip(document["paths"], document["keys"], document["records"], strict=True)}


@pytest.mark.parametrize("parallel", [True, False])
def test_a_cold_load_caches_what_a_file_by_file_load_caches_keyed_by_what_it_read(backlog_project, monkeypatch, parallel):
    # With no index, the readers key each file by the fstat of the file they opened and
    # encode the index's JSON themselves; it must hold what the put path holds.
    import os

    from flowops.backlog import bulkread
    from flowops.backlog.records import to_record
    from flowops.backlog.store import Backlog

    project, backlog = backlog_project
    for n in range(12):
        backlog.create(NewTask(f"Task {n}", acceptance_criteria=[f"c{n}", "shared"], labels=["x"] if n % 2 else []))
    tasks = backlog.folder_path("tasks")
    (tasks / "task-99 - Bad.md").write_text("---\nnot: [closed\n---\n")
    (tasks / "task-98 - Link.md").symlink_to(tasks / "task-99 - Bad.md")  # refused, keyed by its lstat
    monkeypatch.setattr(bulkread, "PARALLEL_THRESHOLD", 2 if parallel else 10**9)
    cold = Backlog(project).load()
    entries = _index_entries(project)
    assert len(entries) == 14
    for path, (key, _record) in entries.items():
        st = os.lstat(path)
        assert key == [st.st_size, st.st_mtime_ns], path
    # The same index through the warm path: one entry missing, so the rest are put one by one.
    first = next(iter(entries))
    (project.cache_dir / "tasks-index.json").unlink()
    records = Backlog(project).records()
    assert [to_record(t) for t in cold.tasks] == [tuple(r) for r in records.records]
    assert records.folders == ["tasks"] * 12 and records.paths == [str(t.path) for t in cold.tasks]
    del_entry = Backlog(project)
    del_entry._get_index().entries.pop(first)
    del_entry._get_index().dirty = True
    del_entry._get_index().save()
    warm = Backlog(project).load()
    assert _index_entries(project) == entries
    assert [to_record(t) for t in warm.tasks] == [to_record(t) for t in cold.tasks]
    assert [(b.path, b.reason) for b in warm.bad] == [(b.path, b.reason) for b in cold.bad]


def test_records_and_their_batches_cover_every_file_read_once(backlog_project, monkeypatch):
    from flowops.backlog import bulkread
    from flowops.backlog.store import Backlog

    project, backlog = backlog_project
    for n in range(9):
        backlog.create(NewTask(f"Task {n}"))
    monkeypatch.setattr(bulkread, "PARALLEL_THRESHOLD", 2)
    cold = Backlog(project).records(batch=lambda records: sorted(r[0][0] for r in records))
    assert sorted(i for answer in cold.answers for i in answer) == sorted(r[0][0] for r in cold.records)
    assert len(cold.answers) == min(os.cpu_count() or 1, 8) or len(cold.answers) == 1
    warm = Backlog(project).records(batch=lambda records: pytest.fail("a cached task was read again"))
    assert warm.answers == [] and [r[0][0] for r in warm.records] == [r[0][0] for r in cold.records]


def test_a_cold_parallel_load_of_values_json_cannot_hold_leaves_those_out_of_the_index(backlog_project, monkeypatch):
    from flowops.backlog import bulkread
    from flowops.backlog.store import Backlog

    project, backlog = backlog_project
    for n in range(6):
        backlog.create(NewTask(f"Task {n}"))
    dated = next(backlog.folder_path("tasks").glob("task-3 *.md"))
    dated.write_text(dated.read_text(encoding="utf-8").replace("labels: []", "labels: []\nreviewed: 2024-05-01"), encoding="utf-8")
    monkeypatch.setattr(bulkread, "PARALLEL_THRESHOLD", 2)
    first = Backlog(project).load()
    assert str(first.tasks[2].extra["reviewed"]) == "2024-05-01"
    entries = _index_entries(project)
    assert len(entries) == 5 and str(dated) not in entries  # read again next time rather than cached changed
    assert [t.extra for t in Backlog(project).load().tasks] == [t.extra for t in first.tasks]


def test_the_store_finds_a_records_id_where_records_puts_it():
    from flowops.backlog import store
    from flowops.backlog.records import SCALARS

    assert SCALARS[store._RECORD_ID] == "id"
