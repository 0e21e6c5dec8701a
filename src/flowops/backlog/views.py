"""Backlog.md 1.52's plain-text and JSON shapes for tasks, so agents and scripts cannot tell the difference.

Pure functions from Task records to strings and dicts; the CLI prints them. flowops'
own additions (``workflowState``) are extra keys.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, cast

if TYPE_CHECKING:
    # Types only: a plain listing prints rows (rows.py) and must not import the task model.
    from flowops.backlog.model import Document, Task
    from flowops.backlog.rows import Listed

RULE = "-" * 50
_ICONS = {"done": "\u2714", "in progress": "\u25d2", "blocked": "\u25cf", "to do": "\u25cb", "review": "\u25c6", "testing": "\u25a3"}
PRIORITY_RANK = {"high": 3, "medium": 2, "low": 1}


def status_icon(status: str) -> str:
    return _ICONS.get(status.strip().lower(), "\u25cb")


def iso_stamp(value: str | None) -> str | None:
    """'YYYY-MM-DD HH:mm' -> 'YYYY-MM-DDTHH:mm:00Z' (date-only values stay as they are)."""
    if not value:
        return None
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        return value
    match = re.fullmatch(r"(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2})(?::(\d{2}))?(?:\.\d+)?Z?", value)
    if match:
        return f"{match.group(1)}T{match.group(2)}:{match.group(3) or '00'}Z"
    return value


def _priority_label(priority: str | None) -> str | None:
    if not priority:
        return None
    return " ".join(word[:1].upper() + word[1:] for word in priority.split(" "))


def _at(name: str) -> str:
    return name if name.startswith("@") else f"@{name}"


# -- plain text --------------------------------------------------------------------------


def list_line(task: Listed, *, include_status: bool = False) -> str:
    """One task in ``task list --plain``: ``  [HIGH] [bug] TASK-1 - Title (status) (ac: 1/2) (due d)``."""
    priority = f"[{task.priority.upper()}] " if task.priority else ""
    kind = f"[{task.type}] " if task.type else ""
    status = f" ({task.status})" if include_status and task.status else ""
    ac = f" (ac: {task.ac_completed}/{task.ac_total})" if task.ac_total else ""
    due = f" (due {task.due_date})" if task.due_date else ""
    return f"  {priority}{kind}{task.id} - {task.title}{status}{ac}{due}"


def plain_list(tasks: Sequence[Listed], statuses: list[str], *, sort: str, parent: str | None = None) -> str:
    """The whole ``task list --plain`` output (grouped by status unless sorted by priority)."""
    if not tasks:
        return f"No child tasks found for parent task {parent}.\n" if parent else "No tasks found.\n"
    if sort == "priority_flat":
        return "Tasks (sorted by priority):\n" + "\n".join(list_lines(tasks, include_status=True)) + "\n"
    canonical = {s.lower(): s for s in statuses}
    groups: dict[str, list[str]] = {}
    group_of: dict[str, str] = {}  # each distinct status as written -> its group, worked out once
    for task, line in zip(tasks, list_lines(tasks), strict=True):
        status = task.status
        name = group_of.get(status)
        if name is None:
            stripped = status.strip()
            name = group_of[status] = canonical.get(stripped.lower(), stripped)
        group = groups.get(name)
        if group is None:
            group = groups[name] = []
        group.append(line)
    order = [s for s in statuses if s in groups] + [s for s in groups if s not in statuses]
    out = []
    for status in order:
        out.append(f"{status or 'No Status'}:\n")
        out.append("\n".join(groups[status]))
        out.append("\n\n")
    return "".join(out)


def list_lines(tasks: Sequence[Listed], *, include_status: bool = False) -> list[str]:
    """``list_line`` of each task; listing rows (rows.Row) in one comprehension, unpacked, ~20 % faster at 10,000."""
    from flowops.backlog.rows import Row

    if not all(type(task) is Row for task in tasks):
        return [list_line(task, include_status=include_status) for task in tasks]
    rows = cast("Sequence[Row]", tasks)
    # Few distinct priorities: each label is made once.
    labels = {p: f"[{p.upper()}] " if p else "" for p in {row.priority for row in rows}}
    return [
        f"  {labels[priority]}{f'[{kind}] ' if kind else ''}{task_id} - {title}{f' ({status})' if include_status and status else ''}"
        f"{f' (ac: {done}/{total})' if total else ''}{f' (due {due})' if due else ''}"
        # All 15 fields named: a starred target would build a list per row.
        for task_id, title, status, priority, kind, total, done, due, _l, _a, _p, _o, _c, _u, _s in rows
    ]


def plain_view(
    task: Task,
    *,
    file_path: str | None,
    parent_title: str | None = None,
    subtasks: Iterable[Task] = (),
    dependency_lines: list[str] | None = None,
    workflow_state: str | None = None,
) -> str:
    """``task view --plain``, section by section as Backlog.md prints it."""
    lines: list[str] = []
    if file_path:
        lines += [f"File: {file_path}", ""]
    lines += [f"Task {task.id} - {task.title}", "=" * 50, "", f"Status: {status_icon(task.status)} {task.status}"]
    lines += _field_lines(task, workflow_state)
    lines += _relation_lines(task, parent_title, list(subtasks))
    if dependency_lines:
        lines += ["", "Dependency Graph:", RULE, *dependency_lines]
    lines += ["", "Description:", RULE, task.description.strip() or "No description provided", ""]
    lines += ["Acceptance Criteria:", RULE]
    lines += _checklist_lines(task.acceptance_criteria) or ["No acceptance criteria defined"]
    lines += ["", "Definition of Done:", RULE]
    lines += _checklist_lines(task.definition_of_done) or ["No Definition of Done items defined"]
    lines.append("")
    lines += _section_lines(task)
    return "\n".join(lines) + "\n"


def _field_lines(task: Task, workflow_state: str | None) -> list[str]:
    """The one-line fields under the status, in Backlog.md's order, each only when set."""
    fields: list[tuple[str, object]] = [
        ("Priority", _priority_label(task.priority) if task.priority else None),
        ("Type", task.type),
        ("Project", task.project),
        ("Ordinal", task.ordinal),
        ("Assignee", ", ".join(_at(a) for a in task.assignees)),
        ("Reporter", _at(task.reporter) if task.reporter else None),
        ("Created", _stamp_utc(task.created_date)),
        ("Updated", _stamp_utc(task.updated_date) if task.updated_date else None),
        ("Due", task.due_date),
        ("Labels", ", ".join(task.labels)),
        ("Workflow", workflow_state),
    ]
    # Created is always shown (Backlog.md prints it even when empty); Ordinal 0 is a value.
    return [f"{name}: {value}" for name, value in fields
            if name == "Created" or (value is not None if name == "Ordinal" else bool(value))]


def _relation_lines(task: Task, parent_title: str | None, subtasks: list[Task]) -> list[str]:
    lines: list[str] = []
    if task.milestone:
        lines.append(f"Milestone: {task.milestone}")
    if task.parent_task_id:
        lines.append(f"Parent: {task.parent_task_id} - {parent_title}" if parent_title else f"Parent: {task.parent_task_id}")
    if subtasks:
        lines.append(f"Subtasks ({len(subtasks)}):")
        lines += [f"- {s.id} - {s.title}" for s in subtasks]
    elif task.subtasks:
        lines.append(f"Subtasks: {len(task.subtasks)}")
    if task.references:
        lines.append("References: " + ", ".join(task.references))
    if task.documentation:
        lines.append("Documentation: " + ", ".join(task.documentation))
    return lines


def _section_lines(task: Task) -> list[str]:
    lines: list[str] = []
    for title, value in (("Implementation Plan", task.implementation_plan), ("Implementation Notes", task.implementation_notes)):
        if value and value.strip():
            lines += [f"{title}:", RULE, value.strip(), ""]
    if task.modified_files:
        lines += ["Modified files: " + ", ".join(task.modified_files), ""]
    comments = [c for c in task.comments if c.body.strip()]
    if comments:
        lines += ["Comments:", RULE]
        for comment in comments:
            head = [f"#{comment.index}"]
            if comment.author:
                head.append(comment.author)
            if comment.created:
                head.append(_stamp_utc(comment.created))
            lines += [" - ".join(head), comment.body.strip(), ""]
    if task.final_summary and task.final_summary.strip():
        lines += ["Final Summary:", RULE, task.final_summary.strip(), ""]
    return lines


def _checklist_lines(items) -> list[str]:
    return [f"- [{'x' if c.checked else ' '}] #{n} {c.text}" for n, c in enumerate(items, 1)]


def _stamp_utc(value: str) -> str:
    return f"{value} (UTC)" if re.fullmatch(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}", value or "") else (value or "")


def dependency_lines(task: Task, resolve, done_status: str = "Done") -> list[str]:
    """``Depends on (n direct, m total):`` tree lines; ``resolve(id)`` returns a Task or None."""
    seen: set[str] = set()
    rows: list[str] = []

    def walk(ids: list[str], prefix: str) -> None:
        for position, dep in enumerate(ids):
            last = position == len(ids) - 1
            found = resolve(dep)
            branch = "\u2514\u2500 " if last else "\u251c\u2500 "
            if found is None:
                rows.append(f"{prefix}{branch}{dep} - unknown task ID")
                continue
            # Backlog.md shows every finished dependency as [completed], in completed/ or not.
            state = "completed" if is_completed(found, done_status) else found.status
            repeat = dep.upper() in seen
            rows.append(f"{prefix}{branch}{found.id} - {found.title} [{state}]" + (" (shown above)" if repeat else ""))
            if not repeat:
                seen.add(dep.upper())
                walk(found.dependencies, prefix + ("   " if last else "\u2502  "))

    walk(task.dependencies, "")
    if not rows:
        return []
    total = len({row.split(" - ")[0].strip(" \u2514\u2500\u251c\u2502") for row in rows})
    return [f"Depends on ({len(task.dependencies)} direct, {total} total):", *rows]


# -- JSON ---------------------------------------------------------------------------------


def task_summary_json(task: Task, *, is_ready: bool, workflow_state: str | None = None) -> dict:
    """The fields of one task in ``task list --json`` (Backlog.md's ``_z`` shape)."""
    data = {
        "id": task.id,
        "title": task.title,
        "status": task.status,
        "type": task.type,
        "priority": task.priority,
        "project": task.project,
        "assignees": list(task.assignees),
        "reporter": task.reporter,
        "labels": list(task.labels),
        "milestone": task.milestone,
        "parentTaskId": task.parent_task_id,
        "acceptanceCriteriaCompleted": task.ac_completed,
        "acceptanceCriteriaCount": len(task.acceptance_criteria),
        "references": list(task.references),
        "modifiedFiles": list(task.modified_files),
        "ordinal": task.ordinal,
        "createdAt": iso_stamp(task.created_date),
        "updatedAt": iso_stamp(task.updated_date),
        "dueDate": iso_stamp(task.due_date),
        "isReady": is_ready,
    }
    if workflow_state is not None:
        data["workflowState"] = workflow_state
    return data


def task_view_json(
    task: Task,
    *,
    path: str | None,
    readiness: dict,
    graph: dict,
    subtasks: Iterable[Task],
    workflow_state: str | None = None,
) -> dict:
    data = task_summary_json(task, is_ready=readiness["isReady"], workflow_state=workflow_state)
    data.update(
        {
            "path": path,
            "description": task.description or None,
            "dependencies": list(task.dependencies),
            "dependencyGraph": graph,
            "readiness": readiness,
            "documentation": list(task.documentation),
            "subtasks": [{"id": s.id, "title": s.title} for s in subtasks],
            "acceptanceCriteria": [{"index": n, "text": c.text, "checked": c.checked} for n, c in enumerate(task.acceptance_criteria, 1)],
            "definitionOfDone": [{"index": n, "text": c.text, "checked": c.checked} for n, c in enumerate(task.definition_of_done, 1)],
            "implementationPlan": task.implementation_plan,
            "implementationNotes": task.implementation_notes,
            "comments": [
                {"index": c.index, "body": c.body, "createdAt": iso_stamp(c.created), "author": c.author} for c in task.comments
            ],
            "finalSummary": task.final_summary,
        }
    )
    return data


def is_completed(task: Task, done_status: str) -> bool:
    """Finished as Backlog.md counts it: in ``completed/`` or in the done status."""
    return task.folder == "completed" or task.status.strip().lower() == done_status.strip().lower()


def is_ready(task: Task, resolve, done_status: str) -> bool:
    """Backlog.md's ``isReady``: not finished itself, and every dependency exists and is finished."""
    if is_completed(task, done_status):
        return False
    for dep in task.dependencies:
        found = resolve(dep)
        if found is None or not is_completed(found, done_status):
            return False
    return True


def dependency_graph(task: Task, resolve, done_status: str) -> tuple[dict, dict]:
    """(dependencyGraph, readiness) for ``task`` from its dependencies (transitively)."""

    def completed(t: Task) -> bool:
        return is_completed(t, done_status)

    nodes = [
        {"id": task.id, "title": task.title, "status": task.status, "state": "resolved", "completed": completed(task),
         "dependencyDepth": 0, "dependentDepth": 0}
    ]
    edges = []
    known = {task.id.upper()}
    blocking, missing = [], []
    queue = [(task, 0)]
    while queue:
        current, depth = queue.pop(0)
        for dep in current.dependencies:
            edges.append({"from": current.id, "to": dep.upper()})
            found = resolve(dep)
            if current is task:
                if found is None:
                    missing.append(dep)
                elif not completed(found):
                    blocking.append(found.id)
            if dep.upper() in known:
                continue
            known.add(dep.upper())
            if found is None:
                nodes.append({"id": dep, "title": None, "status": None, "state": "missing", "completed": False,
                              "dependencyDepth": None, "dependentDepth": None})
                continue
            nodes.append({"id": found.id, "title": found.title, "status": found.status, "state": "resolved",
                          "completed": completed(found), "dependencyDepth": depth + 1, "dependentDepth": None})
            queue.append((found, depth + 1))
    if completed(task):
        # A finished task is neither ready to start nor blocked (Backlog.md 1.52).
        blocking, missing = [], []
    readiness = {
        "isReady": not completed(task) and not blocking and not missing,
        "isBlocked": bool(blocking or missing),
        "blockingDependencies": blocking,
        "missingDependencies": missing,
    }
    return {"root": task.id, "nodes": nodes, "edges": edges}, readiness


def document_json(document: Document, root: Path) -> dict:
    return {
        "id": document.id,
        "title": document.title,
        "type": document.type,
        "path": relative(document.path, root),
        "tags": list(document.tags),
        "createdAt": iso_stamp(document.created_date),
        "updatedAt": iso_stamp(document.updated_date),
    }


def relative(path: Path | None, root: Path) -> str | None:
    if path is None:
        return None
    try:
        return Path(path).resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return str(path)
