"""Only regular files inside the repository are read: symlinks, FIFOs, devices and oversized files are skipped with a warning."""

from __future__ import annotations

import json
import os
import threading

import pytest


def _run_bounded(flowops, command: str, seconds: float = 20):
    """Run ``command`` in a thread; fail instead of hanging the suite when it does not return."""
    box: dict = {}
    worker = threading.Thread(target=lambda: box.setdefault("result", flowops(command)), daemon=True)
    worker.start()
    worker.join(seconds)
    assert not worker.is_alive(), f"`flowops {command}` did not return within {seconds} s"
    return box["result"]


def _warnings(result) -> list[str]:
    return [line for line in result.stderr.splitlines() if line.startswith("warning:")]


@pytest.fixture
def tasks(flowops, repo):
    assert flowops("init").exit_code == 0
    assert flowops("task create Regular").exit_code == 0
    return repo / "backlog" / "tasks"


@pytest.mark.parametrize("command", ["task list --plain", "board --plain", "search regular --plain", "task list --plain --all"])
def test_a_fifo_in_the_tasks_folder_is_skipped_not_waited_on(flowops, tasks, command):
    os.mkfifo(tasks / "task-2 - fifo.md")

    result = _run_bounded(flowops, command)

    assert result.exit_code == 0 and "Regular" in result.stdout
    [warning] = _warnings(result)
    assert "task-2 - fifo.md" in warning and "not a regular file" in warning


@pytest.mark.parametrize("command", ["task list --plain", "board --plain", "search regular --plain"])
def test_a_symlink_to_dev_zero_is_skipped_without_reading_it(flowops, tasks, command):
    (tasks / "task-3 - zero.md").symlink_to("/dev/zero")

    result = _run_bounded(flowops, command)

    assert result.exit_code == 0 and "Regular" in result.stdout
    [warning] = _warnings(result)
    assert "task-3 - zero.md" in warning and "symbolic link" in warning


def test_a_symlink_to_a_file_outside_the_repository_is_neither_shown_nor_replaced_on_edit(flowops, tasks, tmp_path):
    outside = tmp_path / "outside.md"
    outside.write_text("---\nid: TASK-4\ntitle: Secret outside\nstatus: To Do\n---\n\nprivate notes\n")
    (tasks / "task-4 - outside.md").symlink_to(outside)

    listed = flowops("task list --plain")
    viewed = flowops("task view 4 --plain")
    edited = flowops("task edit 4 -s Done")

    assert "Secret outside" not in listed.stdout and "task-4 - outside.md" in listed.stderr
    assert viewed.exit_code != 0 and "Secret outside" not in viewed.stdout and "symbolic link" in viewed.stderr
    assert edited.exit_code != 0 and "task-4 - outside.md" in edited.stderr
    assert (tasks / "task-4 - outside.md").is_symlink()
    assert "status: To Do" in outside.read_text()


def test_a_dangling_symlink_is_reported_not_silently_skipped(flowops, tasks):
    (tasks / "task-5 - gone.md").symlink_to(tasks / "nowhere.md")

    result = flowops("task list --plain")

    [warning] = _warnings(result)
    assert "task-5 - gone.md" in warning


def test_an_oversized_file_is_refused_by_its_size_before_it_is_read(flowops, tasks):
    import tracemalloc

    big = tasks / "task-6 - big.md"
    with big.open("wb") as handle:
        handle.write(b"---\nid: TASK-6\ntitle: big\n---\n")
        handle.truncate(64 * 1024 * 1024)  # sparse: 64 MiB that cost no disk
    assert flowops("task list --plain").exit_code == 0  # imports done, caches warm

    big.touch()  # a changed file is read again
    tracemalloc.start()
    try:
        result = flowops("task list --plain")
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    [warning] = _warnings(result)
    assert "task-6 - big.md" in warning and "MiB" in warning
    assert peak < 16 * 1024 * 1024  # reading the file would have allocated its 64 MiB


def test_a_tasks_folder_that_points_outside_the_repository_is_refused(flowops, repo, tmp_path):
    assert flowops("init").exit_code == 0
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (repo / "backlog" / "tasks").rmdir()
    (repo / "backlog" / "tasks").symlink_to(elsewhere)

    created = flowops("task create Escaped")
    listed = flowops("task list --plain")

    assert created.exit_code == 2 and "backlog/tasks" in created.stderr
    assert listed.exit_code == 2
    assert list(elsewhere.iterdir()) == []


@pytest.mark.parametrize("value", ["/tmp/abs-backlog", "../outside-backlog", "sub/../../x"])
def test_a_backlog_directory_outside_the_repository_is_refused(flowops, repo, value):
    (repo / "backlog.config.yml").write_text(f"backlog_directory: {value}\n")

    result = flowops("task create Escaped")

    assert result.exit_code == 2, result
    assert "backlog.config.yml" in result.stderr and "backlog_directory" in result.stderr
    assert not (repo.parent / "outside-backlog").exists()


def test_hooks_yaml_that_is_a_symlink_out_of_the_repository_is_refused(flowops, repo, tmp_path):
    assert flowops("init").exit_code == 0
    private = tmp_path / "private.yaml"
    private.write_text("version: 1\nhooks: []\n")
    (repo / ".flowops" / "hooks.yaml").unlink()
    (repo / ".flowops" / "hooks.yaml").symlink_to(private)

    result = flowops("hooks validate --json")

    assert result.exit_code == 2
    assert "outside the repository" in json.loads(result.stdout)["problems"][0]["message"]
