"""Filtering and sorting tasks for ``task list`` (Backlog.md's orders).

Everything here reads only what rows.Listed names, so it works on Task objects and on
listing rows alike (a plain listing never builds a Task).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, TypeVar, cast

from flowops.backlog.naming import id_parts
from flowops.backlog.views import PRIORITY_RANK

if TYPE_CHECKING:
    from flowops.backlog.model import Task
    from flowops.backlog.rows import Listed

T = TypeVar("T", bound="Listed")


@dataclass
class Filters:
    statuses: list[str] = field(default_factory=list)  # canonical spellings
    assignee: str | None = None
    labels: list[str] = field(default_factory=list)  # all must be present
    priority: str | None = None
    parent: str | None = None
    query: str | None = None


# What a plain listing prints of every row (views.list_line and the status groups).
PRINTED_FIELDS = frozenset({"id", "title", "status", "priority", "type", "ac_total", "ac_completed", "due_date"})


def fields_needed(filters: Filters, sort: str) -> frozenset[str]:
    """The row fields ``select`` and a plain listing read for ``filters`` and ``sort`` (Backlog.rows' ``fields``)."""
    needed = set(PRINTED_FIELDS)
    if filters.assignee:
        needed.add("assignees")
    if filters.labels:
        needed.add("labels")
    if filters.parent:
        needed.add("parent_task_id")
    if sort == "updated":
        needed |= {"updated_date", "created_date"}
    if sort == "ordinal":
        needed.add("ordinal")
    if filters.query:
        return frozenset(needed | {"labels", "assignees"})  # matched on whole tasks: never on rows
    return frozenset(needed)


def id_key(task: Listed) -> tuple:
    """Numeric id order: TASK-2 < TASK-10 < TASK-10.1."""
    parsed = id_parts(task.id)
    if parsed is None:
        return (1, (), task.id)
    return (0, parsed[1], task.id)


def _assignee_matches(task: Listed, who: str) -> bool:
    wanted = who.strip().lstrip("@").lower()
    return any(a.strip().lstrip("@").lower() == wanted for a in task.assignees)


def matches(task: Listed, filters: Filters) -> bool:
    """``task`` passes every filter; a text query needs a Task (rows carry no text)."""
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
    # A text query is matched on Task objects only: the CLI lists rows only when there is none.
    return not filters.query or text_matches(cast("Task", task), filters.query)


def text_matches(task: Task, query: str) -> bool:
    """Every word of ``query`` appears in the task, as ``flowops search`` decides it."""
    from flowops.backlog.search import score_fields, task_fields

    return score_fields(task_fields(task), query.lower().split()) > 0


def sort_tasks(tasks: Sequence[T], sort: str, *, id_ordered: bool = False) -> list[T]:
    """``tasks`` in the order of ``sort``; ``id_ordered``: they are already in id_key's order (RowListing.id_ordered)."""
    if sort == "id":
        return list(tasks) if id_ordered else sorted(tasks, key=id_key)
    if sort == "updated":
        return sorted(tasks, key=lambda t: (t.updated_date or t.created_date or ""), reverse=True)
    if sort == "ordinal":
        return sorted(tasks, key=lambda t: (t.ordinal is None, t.ordinal if t.ordinal is not None else 0, id_key(t)))
    # Backlog.md's default: higher priority first, then by id. Python's sort is stable, so
    # sorting by id and then by priority is the same order at a fraction of the key cost.
    by_id = tasks if id_ordered else sorted(tasks, key=id_key)
    return sorted(by_id, key=lambda t: -PRIORITY_RANK.get(t.priority or "", 0))


def select(tasks: Sequence[T], filters: Filters, *, sort: str = "priority", limit: int | None = None,
           id_ordered: bool = False) -> list[T]:
    """The tasks passing ``filters`` in the order of ``sort``, at most ``limit``; ``id_ordered`` as in sort_tasks."""
    chosen = tasks if filters == Filters() else [t for t in tasks if matches(t, filters)]
    chosen = sort_tasks(chosen, sort, id_ordered=id_ordered)
    return chosen[:limit] if limit else chosen
