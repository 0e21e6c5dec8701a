"""Task folders' names remembered between commands: keyed by the folder's stat, never racy, never trusted when damaged."""

from __future__ import annotations

import os
import re
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from flowops.backlog import foldernames
from flowops.backlog.foldernames import MAGIC, RACY_NS, FolderNames, joined, parse
from flowops.backlog.naming import TaskId
from flowops.backlog.store import Backlog, NewTask, _filename_pattern
from flowops.project import Project


@pytest.fixture
def later(monkeypatch):
    """Make every folder look settled: the clock reads 10 s past the real one."""
    real = time.time_ns
    monkeypatch.setattr(foldernames.time, "time_ns", lambda: real() + 5 * RACY_NS)


@pytest.fixture
def listed(monkeypatch):
    """Count the folders really listed (os.listdir) by the cache."""
    calls: list[str] = []
    real = os.listdir

    def counting(path):
        calls.append(str(path))
        return real(path)

    monkeypatch.setattr(foldernames.os, "listdir", counting)
    return calls


def make_folder(tmp_path, names):
    folder = tmp_path / "tasks"
    folder.mkdir()
    for name in names:
        (folder / name).write_text("x", encoding="utf-8")
    return str(folder)


def test_a_settled_folder_is_listed_once_then_read_from_the_cache(tmp_path, later, listed):
    folder = make_folder(tmp_path, ["task-1 - A.md", "task-2 - B.md"])
    cache = tmp_path / "cache"
    first = FolderNames(cache).listing(folder)
    assert sorted(first.split("\0")[1:]) == ["task-1 - A.md", "task-2 - B.md"]
    assert FolderNames(cache).file_for(folder).is_file()
    # Another command (a new instance reads the file): the same names, nothing listed.
    assert FolderNames(cache).listing(folder) == first
    assert listed == [folder]


def test_a_missing_cache_lists_the_folder(tmp_path, later, listed):
    folder = make_folder(tmp_path, ["task-1 - A.md"])
    assert FolderNames(tmp_path / "cache").listing(folder) == "\0task-1 - A.md"
    assert listed == [folder]


def test_a_name_added_removed_or_renamed_is_seen_at_once(tmp_path, later, listed):
    folder = make_folder(tmp_path, ["task-1 - A.md"])
    cache = tmp_path / "cache"
    FolderNames(cache).listing(folder)
    os.rename(os.path.join(folder, "task-1 - A.md"), os.path.join(folder, "task-1 - Renamed.md"))
    (tmp_path / "tasks" / "task-2 - B.md").write_text("x", encoding="utf-8")
    assert sorted(FolderNames(cache).listing(folder).split("\0")[1:]) == ["task-1 - Renamed.md", "task-2 - B.md"]
    assert len(listed) == 2


def test_a_folder_whose_mtime_was_set_back_is_listed_again(tmp_path, later, listed):
    # A rename keeps the number of names; `touch -d`, tar or rsync can then put the old mtime
    # back. The ctime (which no one can set) still moved, so the cache is not believed.
    folder = make_folder(tmp_path, ["task-1 - A.md"])
    cache = tmp_path / "cache"
    FolderNames(cache).listing(folder)
    before = os.stat(folder)
    os.rename(os.path.join(folder, "task-1 - A.md"), os.path.join(folder, "task-1 - B.md"))
    time.sleep(0.01)  # a ctime tick apart (not a timed assertion: it only orders the two changes)
    os.utime(folder, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert os.stat(folder).st_mtime_ns == before.st_mtime_ns
    assert FolderNames(cache).listing(folder) == "\0task-1 - B.md"
    assert len(listed) == 2


def test_a_folder_changed_within_the_racy_window_is_never_remembered(tmp_path, listed):
    # The real clock: the folder was just made, so a change later in the same timestamp tick
    # could leave its mtime as it is. Such a listing is used, never kept.
    folder = make_folder(tmp_path, ["task-1 - A.md"])
    cache = tmp_path / "cache"
    assert FolderNames(cache).listing(folder) == "\0task-1 - A.md"
    assert not FolderNames(cache).file_for(folder).exists()
    (tmp_path / "tasks" / "task-2 - B.md").write_text("x", encoding="utf-8")
    assert sorted(FolderNames(cache).listing(folder).split("\0")[1:]) == ["task-1 - A.md", "task-2 - B.md"]
    assert len(listed) == 2


def test_only_timestamps_older_than_the_racy_window_are_kept(tmp_path, monkeypatch):
    folder = make_folder(tmp_path, ["task-1 - A.md"])
    st_folder = os.stat(folder)
    newest = max(st_folder.st_mtime_ns, st_folder.st_ctime_ns)
    cache = tmp_path / "cache"
    monkeypatch.setattr(foldernames.time, "time_ns", lambda: newest + RACY_NS)  # exactly at the edge: racy
    FolderNames(cache).listing(folder)
    assert not FolderNames(cache).file_for(folder).exists()
    monkeypatch.setattr(foldernames.time, "time_ns", lambda: newest + RACY_NS + 1)
    FolderNames(cache).listing(folder)
    assert folder in parse(FolderNames(cache).file_for(folder).read_bytes())


@pytest.mark.parametrize(
    "content",
    [
        b"",
        b"not a cache at all",
        MAGIC + b"3 1 2 3 4 5\nabc",  # cut short
        MAGIC + b"x 1 2 3 4 5\n",  # a header that is no numbers
        MAGIC + b"1 2 3\n",  # too few fields
        MAGIC + b"-1 2 3 4 5 6\n",
        MAGIC + b"1 2 3 4 5 14\n/\0../escape.md",  # a name no listing can give
        MAGIC + b"1 2 3 4 5 4\n/name",  # a name not after a NUL
    ],
)
def test_a_corrupt_cache_is_an_empty_one(tmp_path, later, listed, content):
    folder = make_folder(tmp_path, ["task-1 - A.md"])
    cache = tmp_path / "cache"
    cache.mkdir()
    FolderNames(cache).file_for(folder).write_bytes(content)
    assert parse(content) == {}
    assert FolderNames(cache).listing(folder) == "\0task-1 - A.md"
    assert listed == [folder]
    # ... and is replaced by a good one.
    assert folder in parse(FolderNames(cache).file_for(folder).read_bytes())


def test_a_cache_of_another_format_is_not_read(tmp_path, later, listed):
    folder = make_folder(tmp_path, ["task-1 - A.md"])
    cache = tmp_path / "cache"
    FolderNames(cache).listing(folder)
    data = FolderNames(cache).file_for(folder).read_bytes()
    # The same entries under another version's first line, with a name the folder lacks.
    forged = data.replace(MAGIC, b"flowops folder names 2\n").replace(b"task-1 - A.md", b"task-9 - Z.md")
    FolderNames(cache).file_for(folder).write_bytes(forged)
    assert FolderNames(cache).listing(folder) == "\0task-1 - A.md"
    assert len(listed) == 2


def test_a_deleted_cache_changes_nothing_but_the_listing_count(tmp_path, later, listed):
    folder = make_folder(tmp_path, [f"task-{n} - T{n}.md" for n in range(50)])
    cache = tmp_path / "cache"
    remembered = FolderNames(cache).listing(folder)
    FolderNames(cache).file_for(folder).unlink()
    assert FolderNames(cache).listing(folder) == remembered


def test_entries_round_trip_any_file_name_bytes(tmp_path):
    names = ["task-1 - caf\u00e9.md", "task-2 - line\nbreak.md", os.fsdecode(b"task-3 - \xff\xfe.md"), ""]
    entries = {os.fsdecode(b"/r\xffoot/tasks"): ((1, 2, 3, 4), joined(names)), "/b": ((5, 6, 7, 8), "")}
    assert parse(foldernames.encode(entries)) == entries


def test_an_entry_for_another_folder_is_not_this_folders(tmp_path, later, listed):
    folder = make_folder(tmp_path, ["task-1 - A.md"])
    other = str(tmp_path / "elsewhere")
    cache = tmp_path / "cache"
    FolderNames(cache).listing(folder)
    # The file found for this folder names another one (a digest clash, a moved cache): a miss.
    entry = parse(FolderNames(cache).file_for(folder).read_bytes())[folder]
    FolderNames(cache).file_for(folder).write_bytes(foldernames.encode({other: (entry[0], joined(["task-9 - Z.md"]))}))
    assert FolderNames(cache).listing(folder) == "\0task-1 - A.md"
    assert len(listed) == 2


def test_a_folder_changed_within_the_racy_window_has_its_cache_file_left_unread(tmp_path, listed, monkeypatch):
    folder = make_folder(tmp_path, ["task-1 - A.md"])

    def unread(file):
        raise AssertionError(f"{file} was read")

    monkeypatch.setattr(foldernames, "_read", unread)
    assert FolderNames(tmp_path / "cache").listing(folder) == "\0task-1 - A.md"


def test_a_cache_file_too_big_to_be_one_is_not_read(tmp_path, later, listed, monkeypatch):
    folder = make_folder(tmp_path, ["task-1 - A.md"])
    cache = tmp_path / "cache"
    FolderNames(cache).listing(folder)
    monkeypatch.setattr(foldernames, "MAX_BYTES", FolderNames(cache).file_for(folder).stat().st_size - 1)
    assert FolderNames(cache).listing(folder) == "\0task-1 - A.md"
    assert len(listed) == 2


def test_nothing_is_remembered_where_ctime_is_not_a_change_time(tmp_path, later, listed, monkeypatch):
    # Windows: st_ctime is the creation time, so a folder's key could not see a changed folder
    # whose mtime was set back.
    monkeypatch.setattr(foldernames, "CTIME_IS_CHANGE_TIME", False)
    folder = make_folder(tmp_path, ["task-1 - A.md"])
    cache = tmp_path / "cache"
    assert FolderNames(cache).listing(folder) == FolderNames(cache).listing(folder) == "\0task-1 - A.md"
    assert len(listed) == 2
    assert not FolderNames(cache).file_for(folder).exists()


def test_no_cache_folder_means_listing_every_time(tmp_path, later, listed):
    folder = make_folder(tmp_path, ["task-1 - A.md"])
    assert FolderNames(None).listing(folder) == "\0task-1 - A.md"
    assert FolderNames(None).listing(folder) == "\0task-1 - A.md"
    assert len(listed) == 2


def test_a_missing_folder_raises_as_listing_it_would(tmp_path, later):
    with pytest.raises(FileNotFoundError):
        FolderNames(tmp_path / "cache").listing(str(tmp_path / "nope"))
    (tmp_path / "file").write_text("x", encoding="utf-8")
    with pytest.raises(NotADirectoryError):
        FolderNames(tmp_path / "cache").listing(str(tmp_path / "file"))


# -- the store's lookups through the cache ------------------------------------------------


def test_lookups_by_id_see_tasks_created_renamed_and_archived_since_the_cache_was_written(tmp_path, later, listed):
    from flowops.backlog.store import init_layout

    init_layout(tmp_path / "backlog", "shop")
    project = Project(tmp_path)
    first = Backlog(project)
    for title in ("One", "Two"):
        first.create(NewTask(title=title))
    assert Backlog(project).get("2").title == "Two"
    remembered = len(listed)
    assert Backlog(project).get("1").title == "One"
    assert len(listed) == remembered  # served by the cache
    # Every kind of change through another Backlog (another command) is seen by the next one.
    Backlog(project).create(NewTask(title="Three"))
    assert Backlog(project).get("3").title == "Three"
    Backlog(project).update("1", lambda task: setattr(task, "title", "Renamed"))
    assert Backlog(project).get("1").path.name == "task-1 - Renamed.md"
    Backlog(project).archive("2")
    assert Backlog(project).get("2", ("tasks", "completed", "archive")).folder == "archive"
    assert not Backlog(project).named("2")
    assert Backlog(project).named("3")


def test_subtasks_are_found_through_the_cache(tmp_path, later):
    from flowops.backlog.store import init_layout

    init_layout(tmp_path / "backlog", "shop")
    project = Project(tmp_path)
    store = Backlog(project)
    parent = store.create(NewTask(title="Parent"))
    for title in ("A", "B"):
        store.create(NewTask(title=title, parent=parent.id))
    store.create(NewTask(title="Other 11"))
    assert [t.title for t in Backlog(project).subtasks(Backlog(project).get("1"))] == ["A", "B"]


# -- the listing search equals the per-name match it replaced ------------------------------

_NAME_CHARS = st.sampled_from(list("tTaAsSkK-.0123456789 mdxX\n") + ["-", " - ", ".md", "task-", "TASK-", "0"])
_NAMES = st.lists(st.lists(_NAME_CHARS, max_size=8).map("".join), max_size=12)


def _old_matches(wanted: TaskId, names: list[str]) -> list[str]:
    number = r"\.".join(f"0*{part}" for part in wanted.parts)
    pattern = re.compile(rf"(?i:{re.escape(wanted.prefix)})-{number}(?: - .*)?\.md\Z")
    return [name for name in names if pattern.match(name)]


@settings(max_examples=300, deadline=None)
@given(names=_NAMES, parts=st.lists(st.integers(0, 12), min_size=1, max_size=2))
def test_the_listing_search_finds_exactly_the_names_the_per_name_match_found(names, parts):
    wanted = TaskId("task", tuple(parts))
    found = [m.group(1) for m in _filename_pattern(wanted).finditer(joined(names))]
    assert found == _old_matches(wanted, names)


@settings(max_examples=300, deadline=None)
@given(names=_NAMES, containing=st.sampled_from(["1.", "12.", "0.", "task", ".md", " "]))
def test_scanning_names_containing_a_text_finds_what_the_per_name_test_found(tmp_path_factory, names, containing):
    from flowops.backlog.store import init_layout

    root = tmp_path_factory.mktemp("scan")
    init_layout(root / "backlog", "shop")
    store = Backlog(Project(root))
    store._names["tasks"] = joined(names)  # the listing as _folder_names would give it
    found = [ref.name for ref in store.scan(("tasks",), containing=containing)]
    assert found == [n for n in names if containing in n and n.endswith(".md") and not n.startswith(".")]
