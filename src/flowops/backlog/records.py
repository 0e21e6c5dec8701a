"""Tasks as plain tuples, for the index cache and for passing between processes.

Pickling dataclass instances is slow (10,000 tasks took ~0.4 s to load); tuples of
strings load in milliseconds. ``to_record``/``from_record`` convert losslessly for every
field the listing, search and JSON views use.
"""

from __future__ import annotations

from flowops.backlog.model import Task
from flowops.backlog.sections import Comment, Criterion

Record = tuple

_SCALARS = (
    "id", "title", "status", "reporter", "created_date", "updated_date", "due_date", "milestone",
    "parent_task_id", "priority", "type", "project", "ordinal", "on_status_change", "description",
    "implementation_plan", "implementation_notes", "final_summary",
)
_LISTS = ("assignees", "labels", "dependencies", "references", "documentation", "modified_files", "subtasks")


def to_record(task: Task) -> Record:
    return (
        tuple(getattr(task, name) for name in _SCALARS),
        tuple(tuple(getattr(task, name)) for name in _LISTS),
        tuple((c.text, c.checked) for c in task.acceptance_criteria),
        tuple((c.text, c.checked) for c in task.definition_of_done),
        tuple((c.body, c.author, c.created) for c in task.comments),
        task.extra or None,
    )


def from_record(record: Record) -> Task:
    (
        (id_, title, status, reporter, created, updated, due, milestone, parent, priority, type_, project,
         ordinal, on_status_change, description, plan, notes, summary),
        (assignees, labels, dependencies, references, documentation, modified_files, subtasks),
        ac,
        dod,
        comments,
        extra,
    ) = record
    return Task(
        id_, title, status, list(assignees), reporter, created, updated, due, list(labels), milestone,
        list(dependencies), list(references), list(documentation), list(modified_files), parent,
        list(subtasks), priority, type_, project, ordinal, on_status_change, description,
        [Criterion(i, text, checked) for i, (text, checked) in enumerate(ac, 1)],
        [Criterion(i, text, checked) for i, (text, checked) in enumerate(dod, 1)],
        plan, notes, summary,
        [Comment(i, body, author, created) for i, (body, author, created) in enumerate(comments, 1)],
        dict(extra) if extra else {},
    )
