"""Filtering and sorting tasks for ``task list`` (Backlog.md's orders)."""

from __future__ import annotations

from dataclasses import dataclass, field

from flowops.backlog.model import Task
from flowops.backlog.naming import id_parts
from flowops.backlog.views import PRIORITY_RANK


@dataclass
class Filters:
    statuses: list[str] = field(default_factory=list)  # canonical spellings
    assignee: str | None = None
    labels: list[str] = field(default_factory=list)  # all must be present
    priority: str | None = None
    parent: str | None = None
    query: str | None = None


def id_key(task: Task) -> tuple:
    """Numeric id order: TASK-2 < TASK-10 < TASK-10.1."""
    parsed = id_parts(task.id)
    if parsed is None:
        return (1, (), task.id)
    return (0, parsed[1], task.id)


def _assignee_matches(task: Task, who: str) -> bool:
    wanted = who.strip().lstrip("@").lower()
    return any(a.strip().lstrip("@").lower() == wanted for a in task.assignees)


def matches(task: Task, filters: Filters) -> bool:
    if filters.statuses and task.status.strip().lower() not in {s.lower() for s in filters.statuses}:
        return False
    if filters.assignee and not _assignee_matches(task, filters.assignee):
        return False
    if filters.labels:
        have = {label.lower() for label in task.labels}
        if not all(label.lower() in have for label in filters.labels):
            return False
    if filters.priority and (task.priority or "") != filters.priority:
        return False
    if filters.parent and (task.parent_task_id or "").upper() != filters.parent.upper():
        return False
    return not filters.query or text_matches(task, filters.query)


def text_matches(task: Task, query: str) -> bool:
    """Every word of ``query`` appears in the task, as ``flowops search`` decides it."""
    from flowops.backlog.search import score_fields, task_fields

    return score_fields(task_fields(task), query.lower().split()) > 0


def sort_tasks(tasks: list[Task], sort: str) -> list[Task]:
    if sort == "id":
        return sorted(tasks, key=id_key)
    if sort == "updated":
        return sorted(tasks, key=lambda t: (t.updated_date or t.created_date or ""), reverse=True)
    if sort == "ordinal":
        return sorted(tasks, key=lambda t: (t.ordinal is None, t.ordinal if t.ordinal is not None else 0, id_key(t)))
    # Backlog.md's default: higher priority first, then by id. Python's sort is stable, so
    # sorting by id and then by priority is the same order at a fraction of the key cost.
    by_id = sorted(tasks, key=id_key)
    return sorted(by_id, key=lambda t: -PRIORITY_RANK.get(t.priority or "", 0))


def select(tasks: list[Task], filters: Filters, *, sort: str = "priority", limit: int | None = None) -> list[Task]:
    chosen = tasks if filters == Filters() else [t for t in tasks if matches(t, filters)]
    chosen = sort_tasks(chosen, sort)
    return chosen[:limit] if limit else chosen
