"""Finding incidents: unreadable or oversized files are reported and skipped, never guessed at or read whole."""

from __future__ import annotations

from flowops.incidents.lookup import load_incidents


def test_broken_and_oversized_files_are_warnings(feed, backlog, flowops, ops_project):
    feed("01_errors_firing.json")
    tasks = ops_project / "backlog" / "tasks"
    (tasks / "task-90 - Broken.md").write_text("---\nid: TASK-90\nlabels: [ops:incident\n---\n", encoding="utf-8")
    (tasks / "task-91 - Huge.md").write_bytes(b"---\nid: TASK-91\nlabels: ['ops:incident']\n---\n" + b"x" * (2 << 20))
    found = load_incidents(backlog)
    assert [i.id for i in found.incidents] == ["TASK-2"]
    assert len(found.warnings) == 2
    assert any("task-91 - Huge.md: skipped, cannot be read: the file is" in w and "MiB limit" in w for w in found.warnings)
    result = flowops("incident list --plain")
    assert result.exit_code == 0 and result.stdout.startswith("TASK-2 [triggered]")
    assert result.stderr.count("warning: backlog/tasks/task-9") == 2
