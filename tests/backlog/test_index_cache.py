"""The listing cache lives in the user's cache folder, holds data only, and no repository can forge it."""

from __future__ import annotations

import json
import os
import pickle
import time
from pathlib import Path

import pytest

from flowops.backlog.store import Backlog, NewTask
from flowops.project import Project


class _OpensAFile:
    """Unpickling this creates ``marker``: proof that a pickle was loaded."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self):
        return (open, (str(self.marker), "w"))


def _crafted_pickle(marker: Path) -> bytes:
    return pickle.dumps(((4, "0"), {"x": _OpensAFile(marker)}))


@pytest.mark.parametrize(
    "command",
    ["task list --plain", "board --plain", "search anything --plain", "ac lint --all --plain", "task list --plain --all"],
)
def test_a_pickle_committed_to_the_repository_is_never_loaded(flowops, repo, tmp_path, command):
    assert flowops("init").exit_code == 0
    assert flowops("task create One --ac 'p95 below 300 ms'").exit_code == 0
    marker = tmp_path / "code-ran"
    for name in ("tasks-index.pickle", "tasks-index.json", "hooks-yaml.json"):
        (repo / ".flowops" / "cache").mkdir(exist_ok=True)
        (repo / ".flowops" / "cache" / name).write_bytes(_crafted_pickle(marker))

    result = flowops(command)

    assert result.exit_code in (0, 1, 3), result
    assert not marker.exists()


def test_the_index_is_json_in_the_user_cache_folder_not_in_the_repository(flowops, repo, user_cache_dir):
    from flowops.cachedir import project_cache_dir

    assert flowops("init").exit_code == 0
    assert flowops("task create One -l x").exit_code == 0
    # A file modified within the timestamp granularity is not cached by its key (racy.RACY_NS).
    then = time.time_ns() - 3600 * 1_000_000_000
    for path in (repo / "backlog").rglob("*.md"):
        os.utime(path, ns=(then, then))

    for _twice in range(2):  # the second listing writes the columns parts
        assert flowops("task list --plain").exit_code == 0  # the listing rows
        assert flowops("search one --plain").exit_code == 0  # and search's text
    assert flowops("task list --json").exit_code == 0  # the whole tasks

    assert not (repo / ".flowops" / "cache").exists()
    # (search's per-file text part is saved only when many files were read or no columns part
    # could be written: here the columns part holds the text)
    parts = ("tasks-rows.json", "tasks-index.json", "tasks-columns-tasks.json", "tasks-columns-tasks+completed.json")
    assert not list(repo.rglob("tasks-text.json"))
    for name in parts:
        [index] = list(user_cache_dir.glob(f"*/{name}"))
        assert index.parent == project_cache_dir(repo)
        text = index.read_text(encoding="utf-8")
        # The columns parts are a JSON header line, then one JSON array (or for search's
        # text, the text itself) per line.
        data = json.loads(text.partition("\n")[0] if "columns" in name else text)
        assert data["format"] and "one" in text.lower()


def test_an_index_forged_in_the_repository_changes_nothing(flowops, repo):
    assert flowops("init").exit_code == 0
    assert flowops("task create Genuine").exit_code == 0
    [path] = (repo / "backlog" / "tasks").glob("task-1 *.md")
    stat = path.stat()
    forged = {"format": 5, "version": "any", "paths": [str(path)], "keys": [[stat.st_size, stat.st_mtime_ns]],
              "records": [[["TASK-1", "Forged", "Done"] + [None] * 15, [[], [], [], [], [], [], []], [], [], [], None]]}
    (repo / ".flowops" / "cache").mkdir()
    (repo / ".flowops" / "cache" / "tasks-index.json").write_text(json.dumps(forged))

    listed = flowops("task list --plain")

    assert "Genuine" in listed.stdout and "Forged" not in listed.stdout


@pytest.mark.parametrize(
    "environment,base",
    [
        pytest.param({"XDG_CACHE_HOME": "{tmp}/xdg"}, "{tmp}/xdg/flowops", id="XDG_CACHE_HOME"),
        # The XDG spec says: absolute paths only.
        pytest.param({"XDG_CACHE_HOME": "relative/is/ignored"}, "{tmp}/home/.cache/flowops", id="a relative XDG_CACHE_HOME"),
        pytest.param({"XDG_CACHE_HOME": "{tmp}/xdg", "FLOWOPS_CACHE_DIR": "{tmp}/mine"}, "{tmp}/mine", id="FLOWOPS_CACHE_DIR first"),
    ],
)
def test_the_cache_folder_follows_the_environment(tmp_path, monkeypatch, environment, base):
    from flowops.cachedir import cache_base, project_cache_dir

    monkeypatch.delenv("FLOWOPS_CACHE_DIR")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    for name, value in environment.items():
        monkeypatch.setenv(name, value.format(tmp=tmp_path))
    (tmp_path / "one").mkdir()
    assert cache_base() == Path(base.format(tmp=tmp_path))
    assert project_cache_dir(tmp_path / "one").parent == Path(base.format(tmp=tmp_path))


def test_each_repository_has_its_own_cache_folder_found_by_its_resolved_path(tmp_path):
    from flowops.cachedir import project_cache_dir

    one, two = tmp_path / "one", tmp_path / "two"
    one.mkdir()
    two.mkdir()
    assert project_cache_dir(one) != project_cache_dir(two)
    assert project_cache_dir(one) == project_cache_dir(tmp_path / "x" / ".." / "one")


def test_a_cache_folder_inside_the_repository_is_not_used(tmp_path, monkeypatch):
    from flowops.cachedir import project_cache_dir

    (tmp_path / "backlog").mkdir()
    monkeypatch.setenv("FLOWOPS_CACHE_DIR", str(tmp_path / ".flowops" / "cache"))
    assert project_cache_dir(tmp_path) is None
    from flowops.backlog.store import init_layout

    init_layout(tmp_path / "backlog", "t")
    backlog = Backlog(Project(tmp_path))
    backlog.create(NewTask("Uncached"))
    assert [t.title for t in backlog.load().tasks] == ["Uncached"]
    assert not (tmp_path / ".flowops" / "cache").exists()


def test_an_unwritable_cache_folder_only_costs_speed(backlog_project, monkeypatch, tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("FLOWOPS_CACHE_DIR", str(blocker / "cache"))
    project, backlog = backlog_project
    backlog.create(NewTask("Still listed"))
    assert [t.title for t in Backlog(project).load().tasks] == ["Still listed"]


def test_frontmatter_values_json_cannot_hold_are_read_again_not_cached_wrongly(backlog_project):
    project, backlog = backlog_project
    task = backlog.create(NewTask("Dated"))
    text = task.path.read_text(encoding="utf-8").replace("labels: []", "labels: []\nreviewed: 2024-05-01\nmeta: {1: one}")
    task.path.write_text(text, encoding="utf-8")
    first = Backlog(project).load().tasks[0].extra
    second = Backlog(project).load().tasks[0].extra  # from the cache, if it was cached
    assert first == second
    assert str(second["reviewed"]) == "2024-05-01" and second["meta"] == {1: "one"}


def test_an_index_adopting_encoded_batches_saves_what_putting_each_entry_saves(tmp_path):
    from flowops.backlog.index import TaskIndex, encode

    entries = {"tasks/a.md": ((10, 1), ["TASK-1", "A"]), "tasks/b.md": ((20, 2), ["bad", "why", 3]),
               "tasks/\udcff.md": ((30, 3), ["TASK-3", "Not UTF-8 name"])}
    batches = [encode(list(part), [entries[p][0] for p in part], [entries[p][1] for p in part])
               for part in (["tasks/a.md", "tasks/\udcff.md"], [], ["tasks/b.md"])]
    adopted = TaskIndex(tmp_path / "one", "tasks-rows.json", 2, base="/b")
    adopted.adopt(dict(entries), batches)
    adopted.save()
    put = TaskIndex(tmp_path / "two", "tasks-rows.json", 2, base="/b")
    for path, (key, value) in entries.items():
        put.put(path, key, value)
    put.save()
    for index in (adopted, put):
        loaded = TaskIndex(index.file.parent, "tasks-rows.json", 2, base="/b")
        loaded.load()
        assert {p: (k, list(v)) for p, (k, v) in loaded.entries.items()} == entries
    # Once the entries change, the encoded batches no longer describe them: save encodes again.
    adopted.prune({"tasks/a.md"}, "")
    adopted.save()
    again = TaskIndex(tmp_path / "one", "tasks-rows.json", 2, base="/b")
    again.load()
    assert list(again.entries) == ["tasks/a.md"]


def test_adopting_into_an_index_that_has_entries_puts_them_one_by_one(tmp_path):
    from flowops.backlog.index import TaskIndex

    index = TaskIndex(tmp_path, "tasks-rows.json", 2)
    index.put("tasks/a.md", (1, 1), ["TASK-1"])
    index.adopt({"tasks/b.md": ((2, 2), ["TASK-2"])}, [(b"\"wrong\"", b"[0,0]", b"[]")])
    index.save()
    loaded = TaskIndex(tmp_path, "tasks-rows.json", 2)
    loaded.load()
    assert loaded.entries == {"tasks/a.md": ((1, 1), ["TASK-1"]), "tasks/b.md": ((2, 2), ["TASK-2"])}
