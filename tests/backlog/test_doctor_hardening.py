"""doctor finds what a crash or a stranger left behind; edits refuse to guess between duplicates."""

from __future__ import annotations

import json
import os
import subprocess

from flowops.backlog.model import Task
from flowops.backlog.taskfile import render_new_task


def _dead_pid() -> int:
    proc = subprocess.Popen(["true"])
    proc.wait()
    return proc.pid


def _findings(flowops, *args) -> tuple[int, list[dict]]:
    result = flowops(["doctor", "--json", *args])
    return result.exit_code, json.loads(result.stdout)["findings"]


def test_doctor_reports_leftover_temporary_files_and_fix_removes_only_abandoned_ones(flowops, repo):
    assert flowops("init").exit_code == 0
    assert flowops("task create One").exit_code == 0
    tasks = repo / "backlog" / "tasks"
    abandoned = [
        tasks / f".task-1 - One.md.{_dead_pid()}.0123abcd.flowops-tmp",
        tasks / f".task-2 - Two.md.{_dead_pid()}.89abcdef.tmp",  # the suffix older versions used
        repo / ".flowops" / f".hooks.yaml.{_dead_pid()}.00ff00ff.flowops-tmp",
    ]
    for path in abandoned:
        path.write_text("half a write")
    in_progress = tasks / f".task-1 - One.md.{os.getpid()}.deadbeef.flowops-tmp"  # a live writer's
    in_progress.write_text("being written")
    unrelated = tasks / ".notes.tmp"
    unrelated.write_text("not flowops'")

    code, findings = _findings(flowops)
    fixed_code, after = _findings(flowops, "--fix")

    assert code == 1
    reported = sorted(f["paths"][0] for f in findings if f["kind"] == "leftover-temp-file")
    assert reported == sorted(os.path.relpath(p, repo) for p in abandoned)
    assert fixed_code == 0 and after == []
    assert [p.exists() for p in abandoned] == [False, False, False]
    assert in_progress.exists() and unrelated.exists()


def test_doctor_reports_dangling_symlinks_and_special_files(flowops, repo):
    assert flowops("init").exit_code == 0
    tasks = repo / "backlog" / "tasks"
    (tasks / "task-5 - gone.md").symlink_to(tasks / "nowhere.md")
    os.mkfifo(tasks / "task-6 - pipe.md")

    code, findings = _findings(flowops)

    assert code == 1
    kinds = {f["paths"][0]: f["kind"] for f in findings}
    assert kinds == {"backlog/tasks/task-5 - gone.md": "not-a-regular-file", "backlog/tasks/task-6 - pipe.md": "not-a-regular-file"}


def test_doctor_reports_a_file_whose_name_and_frontmatter_disagree(flowops, repo):
    assert flowops("init").exit_code == 0
    task = Task(id="TASK-4", title="Misfiled", status="To Do", created_date="2026-01-02 03:04")
    (repo / "backlog" / "tasks" / "task-3 - Misfiled.md").write_bytes(render_new_task(task))

    code, findings = _findings(flowops)

    assert code == 1
    [finding] = findings
    assert finding["kind"] == "id-mismatch" and finding["paths"] == ["backlog/tasks/task-3 - Misfiled.md"]
    assert "TASK-3" in finding["message"] and "TASK-4" in finding["message"]


def test_editing_a_duplicated_id_is_refused_naming_both_files(flowops, repo):
    assert flowops("init").exit_code == 0
    assert flowops("task create Original").exit_code == 0
    [first] = (repo / "backlog" / "tasks").glob("task-1 *.md")
    second = first.with_name("task-1 - Copy.md")
    second.write_bytes(first.read_bytes().replace(b"title: Original", b"title: Copy"))
    before = (first.read_bytes(), second.read_bytes())

    result = flowops("task edit 1 -s Done")

    assert result.exit_code == 2, result
    assert "task-1 - Original.md" in result.stderr and "task-1 - Copy.md" in result.stderr and "doctor --fix" in result.stderr
    assert (first.read_bytes(), second.read_bytes()) == before
