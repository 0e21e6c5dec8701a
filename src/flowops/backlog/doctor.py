"""Diagnosing a backlog: duplicate ids, unreadable files, dangling links; renumbering duplicates.

Duplicate ids appear when two branches each create the next task. ``fix_duplicates``
keeps the oldest task under its id and gives the others fresh ids (file renamed,
frontmatter id changed, subtask files moved along with their parent). References from
other tasks to a duplicated id are ambiguous (which copy did they mean?), so they are
reported for a person to review, never guessed.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from flowops.atomic import atomic_write_bytes
from flowops.backlog.model import Task
from flowops.backlog.naming import TaskId, id_from_filename, task_filename, try_parse_task_id
from flowops.backlog.store import EVERYWHERE, Backlog
from flowops.backlog.taskfile import TaskFile


@dataclass
class Finding:
    # duplicate-id | unreadable | not-a-regular-file | id-mismatch | dangling-dependency |
    # missing-parent | self-dependency | leftover-temp-file, and for the configuration files:
    # config | workflow | hooks | backlog-config
    kind: str
    message: str
    paths: list[str] = field(default_factory=list)
    line: int | None = None
    severity: str = "error"  # or "warning": shown, but doctor still exits 0

    def to_dict(self) -> dict:
        return {"kind": self.kind, "severity": self.severity, "message": self.message, "paths": self.paths,
                "line": self.line}


@dataclass
class Renumbering:
    old_id: str
    new_id: str
    old_path: str
    new_path: str

    def to_dict(self) -> dict:
        return {"old_id": self.old_id, "new_id": self.new_id, "old_path": self.old_path, "new_path": self.new_path}


@dataclass
class Diagnosis:
    findings: list[Finding] = field(default_factory=list)
    renumbered: list[Renumbering] = field(default_factory=list)
    review: list[str] = field(default_factory=list)  # references a person should check

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "error"]

    def to_dict(self) -> dict:
        return {
            "ok": not self.errors,
            "findings": [f.to_dict() for f in self.findings],
            "renumbered": [r.to_dict() for r in self.renumbered],
            "review": self.review,
        }


def _tasks_everywhere(backlog: Backlog):
    return backlog.load(EVERYWHERE, use_cache=False)


def diagnose(backlog: Backlog) -> Diagnosis:
    listing = _tasks_everywhere(backlog)
    result = Diagnosis()
    rel = backlog.relpath
    for bad in listing.bad:
        kind = "not-a-regular-file" if bad.reason.startswith("not a regular file") else "unreadable"
        result.findings.append(Finding(kind, bad.reason, [rel(bad.path)], bad.line))
    for task_id, paths in listing.duplicates.items():
        result.findings.append(Finding("duplicate-id", f"{task_id} is used by {len(paths)} files", [rel(p) for p in paths]))
    prefix = backlog.config.task_prefix
    known = {try_parse_task_id(t.id, prefix) for t in listing.tasks}
    for task in listing.tasks:
        named = id_from_filename(Path(task.path).name) if task.path else None
        own_id = try_parse_task_id(task.id, prefix)
        if named is not None and own_id is not None and named != own_id:
            result.findings.append(Finding(
                "id-mismatch",
                f"the file name says {named} but its frontmatter says {task.id}; flowops finds it by neither reliably: "
                "rename the file or fix the id",
                [rel(task.path)],
            ))
        own = try_parse_task_id(task.id, prefix)
        for dep in task.dependencies:
            dep_id = try_parse_task_id(dep, prefix)
            if dep_id is not None and dep_id == own:
                result.findings.append(Finding("self-dependency", f"{task.id} depends on itself", [rel(task.path)]))
            elif dep_id is None or dep_id not in known:
                result.findings.append(
                    Finding("dangling-dependency", f"{task.id} depends on {dep}, which does not exist", [rel(task.path)])
                )
        if task.parent_task_id:
            parent = try_parse_task_id(task.parent_task_id, prefix)
            if parent is None or parent not in known:
                result.findings.append(
                    Finding("missing-parent", f"{task.id} names parent {task.parent_task_id}, which does not exist", [rel(task.path)])
                )
    for path in leftover_temp_files(backlog):
        result.findings.append(Finding(
            "leftover-temp-file", "a temporary file an interrupted write left behind (`flowops doctor --fix` removes it)", [rel(path)]
        ))
    return result


def leftover_temp_files(backlog: Backlog, *, min_age: float = 3600.0) -> list[Path]:
    """Temporary files of atomic writes whose writer is gone (its pid is not running, or an hour passed).

    Looked for in the backlog, ``.flowops/`` and the state folder; a temporary file of a
    write still in progress is left alone.
    """
    import time

    from flowops.atomic import is_temp_name

    found: list[Path] = []
    folders = [backlog.dir, backlog.project.flowops_dir, Path(backlog.project.state_dir)]
    seen: set[Path] = set()
    for top in folders:
        if not top.is_dir() or top in seen:
            continue
        seen.add(top)
        for folder, _dirs, names in os.walk(top):
            for name in names:
                if not is_temp_name(name):
                    continue
                path = Path(folder) / name
                pid = int(name.split(".")[-3])
                try:
                    age = time.time() - path.lstat().st_mtime
                except OSError:
                    continue
                if not _running(pid) or age > min_age:
                    found.append(path)
    return sorted(found)


def remove_leftover_temp_files(backlog: Backlog) -> list[Path]:
    """Delete what ``leftover_temp_files`` finds; returns what was removed."""
    removed = []
    for path in leftover_temp_files(backlog):
        try:
            os.unlink(path)
        except FileNotFoundError:
            continue
        removed.append(path)
    return removed


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def fix_duplicates(backlog: Backlog) -> Diagnosis:
    """Renumber all but the oldest file of each duplicated id; report ambiguous references."""
    result = Diagnosis()
    prefix = backlog.config.task_prefix
    padding = backlog.config.zero_padded_ids
    with backlog.allocating_ids() as ids:
        listing = _tasks_everywhere(backlog)
        if not listing.duplicates:
            return diagnose(backlog)
        # A file whose name and frontmatter disagree keeps both ids taken.
        ids.add((tid.prefix, tid.parts) for tid in (try_parse_task_id(t.id, prefix) for t in listing.tasks) if tid is not None)
        order = {name: i for i, name in enumerate(EVERYWHERE)}
        by_id: dict[TaskId, list[Task]] = {}
        for task in listing.tasks:
            tid = try_parse_task_id(task.id, prefix)
            if tid is not None:
                by_id.setdefault(tid, []).append(task)
        for tid in sorted(tid for tid, tasks in by_id.items() if len(tasks) > 1):
            copies = sorted(by_id[tid], key=lambda t: (t.created_date or "9999", order.get(t.folder, 9), str(t.path)))
            for task in copies[1:]:
                new_id = TaskId(tid.prefix, ids.next(tid.prefix, tid.parts[:-1]))
                new_text = new_id.format(padding)
                result.renumbered.append(_renumber(backlog, task, new_text))
        renamed = {r.old_id.upper() for r in result.renumbered}
        for task in listing.tasks:
            for dep in task.dependencies:
                if dep.upper() in renamed:
                    result.review.append(f"{task.id} ({backlog.relpath(task.path)}) depends on {dep}: check which copy it means")
            if task.parent_task_id and task.parent_task_id.upper() in renamed:
                result.review.append(
                    f"{task.id} ({backlog.relpath(task.path)}) has parent {task.parent_task_id}: check which copy it means"
                )
    after = diagnose(backlog)
    after.renumbered, after.review = result.renumbered, result.review
    return after



def _renumber(backlog: Backlog, task: Task, new_id: str) -> Renumbering:
    old_path = Path(task._path)  # every task of the listing was read from a file
    task_file = TaskFile.read(old_path, task.folder)
    edited = task_file.task
    edited.id = new_id
    data = task_file.render(edited)
    new_path = old_path.with_name(task_filename(new_id, edited.title))
    # Write the new file first, then remove the old one: a crash leaves a duplicate
    # (which doctor finds again), never a lost task.
    backlog.forget_listings()
    atomic_write_bytes(new_path, data)
    if new_path != old_path:
        os.unlink(old_path)
    return Renumbering(task.id, new_id, backlog.relpath(old_path), backlog.relpath(new_path))
