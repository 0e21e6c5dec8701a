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


_FIELD_ORDER = (
    "id", "title", "status", "reporter", "created_date", "updated_date", "due_date", "milestone",
    "parent_task_id", "priority", "type", "project", "ordinal", "on_status_change", "description",
    "implementation_plan", "implementation_notes", "final_summary",
)
assert _FIELD_ORDER == _SCALARS
_new_task = Task.__new__


def from_record(record: Record) -> Task:
    # Filling __dict__ directly skips the dataclass __init__ (30 defaults, ~2x slower);
    # a listing builds 10,000 of these.
    scalars, lists, ac, dod, comments, extra = record
    values = dict(zip(_SCALARS, scalars))
    assignees, labels, dependencies, references, documentation, modified_files, subtasks = lists
    values.update(
        assignees=list(assignees),
        labels=list(labels),
        dependencies=list(dependencies),
        references=list(references),
        documentation=list(documentation),
        modified_files=list(modified_files),
        subtasks=list(subtasks),
        acceptance_criteria=[Criterion(i, text, checked) for i, (text, checked) in enumerate(ac, 1)] if ac else [],
        definition_of_done=[Criterion(i, text, checked) for i, (text, checked) in enumerate(dod, 1)] if dod else [],
        comments=[Comment(i, body, author, created) for i, (body, author, created) in enumerate(comments, 1)] if comments else [],
        extra=dict(extra) if extra else {},
        _path=None,
        folder="tasks",
    )
    task = _new_task(Task)
    task.__dict__ = values
    return task
