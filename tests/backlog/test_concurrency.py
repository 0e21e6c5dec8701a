"""Many processes at once: no duplicate id, no lost update, no half-written file."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from flowops.backlog.store import Backlog, NewTask
from flowops.backlog.taskfile import TaskFile

CREATE_MANY = """
import os, sys
os.chdir(sys.argv[1])
from flowops.cli import main
worker = sys.argv[2]
for n in range(int(sys.argv[3])):
    code = main(["--no-hooks", "task", "create", f"worker {worker} task {n}", "--ac", "a criterion", "-l", "load"])
    if code != 0:
        sys.exit(code)
"""


@pytest.mark.slow
def test_eight_processes_creating_fifty_tasks_each_get_distinct_ids(backlog_project):
    project, _backlog = backlog_project
    workers = [
        subprocess.Popen([sys.executable, "-c", CREATE_MANY, str(project.root), str(w), "50"])
        for w in range(8)
    ]
    assert [w.wait(timeout=300) for w in workers] == [0] * 8
    files = sorted((project.root / "backlog" / "tasks").glob("*.md"))
    assert len(files) == 400
    ids = {TaskFile(f.read_bytes(), f).task.id for f in files}  # every file parses
    assert len(ids) == 400
    assert ids == {f"TASK-{n}" for n in range(1, 401)}


@pytest.mark.slow
def test_eight_processes_checking_different_criteria_lose_no_check(backlog_project):
    project, backlog = backlog_project
    backlog.create(NewTask("Shared", acceptance_criteria=[f"criterion {n}" for n in range(1, 9)]))
    flowops = Path(sys.executable).with_name("flowops")
    command = [str(flowops)] if flowops.exists() else [sys.executable, "-m", "flowops"]
    workers = [
        subprocess.Popen([*command, "--no-hooks", "task", "edit", "1", "--check-ac", str(n)], cwd=project.root,
                         stdout=subprocess.DEVNULL)
        for n in range(1, 9)
    ]
    assert [w.wait(timeout=120) for w in workers] == [0] * 8
    task = Backlog(project).get("1")
    assert [c.checked for c in task.acceptance_criteria] == [True] * 8


def test_a_write_interrupted_before_the_rename_leaves_the_old_file(backlog_project, monkeypatch):
    import flowops.atomic as atomic

    _project, backlog = backlog_project
    task = backlog.create(NewTask("Stable"))
    before = task.path.read_bytes()

    def crash(src, dst):
        raise KeyboardInterrupt("killed")

    monkeypatch.setattr(atomic.os, "replace", crash)
    with pytest.raises(KeyboardInterrupt):
        backlog.update("1", lambda t: setattr(t, "status", "Done"))
    assert task.path.read_bytes() == before
    assert [p.name for p in task.path.parent.iterdir()] == [task.path.name]  # no temp file left behind
