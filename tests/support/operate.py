"""Reading what `flowops operate` left in a test repository, and doing an operator's part of the work."""

from __future__ import annotations

from pathlib import Path

from flowops.backlog.model import Task
from flowops.backlog.store import Backlog
from flowops.project import Project
from tests.support.runbooks import written


def backlog(repo: Path) -> Backlog:
    """The repository's backlog, read afresh (a Backlog keeps its config and index once read)."""
    return Backlog(Project(repo))


def ops_tasks(repo: Path) -> list[Task]:
    """Every task under tasks/ and completed/ with an ops: label, by id."""
    listing = backlog(repo).load(("tasks", "completed"), use_cache=False)
    return [t for t in listing.tasks if any(label.startswith("ops:") for label in t.labels)]


def ops_task_ids(repo: Path) -> list[str]:
    return [t.id for t in ops_tasks(repo)]


def feature_labels(repo: Path) -> list[str]:
    """The labels of TASK-1, the feature the operate tests work on."""
    return backlog(repo).get("TASK-1").labels


def snapshot(root: Path) -> dict[str, bytes]:
    """Every file of the repository but those of .git, by path: to prove a refused command wrote nothing."""
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and ".git" not in p.relative_to(root).parts
    }


def finish_task(flowops, repo: Path, task_id: str) -> None:
    """Tick every criterion of ``task_id`` and set it Done, as its owner would."""
    task = backlog(repo).get(task_id)
    checks = " ".join(f"--check-ac {c.index}" for c in task.acceptance_criteria)
    result = flowops(f"task edit {task_id} {checks} -s Done")
    assert result.exit_code == 0, result


def fill_runbook(path: Path) -> None:
    """What a person does: write every section in place of its skeleton."""
    path.write_text(written(path.read_text()))


def finish_everything(flowops, repo: Path) -> None:
    """Finish every ops task and write every runbook: what `operate --complete` waits for."""
    for task_id in ops_task_ids(repo):
        finish_task(flowops, repo, task_id)
    for path in sorted((repo / "backlog" / "docs").glob("doc-*.md")):
        fill_runbook(path)
