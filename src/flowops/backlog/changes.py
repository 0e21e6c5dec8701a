"""What a task change takes and gives: ``NewTask`` (what ``Backlog.create`` writes) and ``Update`` (what ``Backlog.update`` did).

Apart from the store so that a lookup (``task view``, ``hooks emit --task-id``) does not
build them: the store imports this module when it creates or updates a task, and
``flowops.backlog.store`` still offers both names.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from flowops.backlog.model import Task


@dataclass
class NewTask:
    """What ``create`` needs; unset fields take Backlog.md's defaults."""

    title: str
    description: str = ""
    status: str | None = None
    assignees: list[str] = field(default_factory=list)
    reporter: str | None = None
    labels: list[str] = field(default_factory=list)
    priority: str | None = None
    type: str | None = None
    milestone: str | None = None
    parent: str | None = None
    dependencies: list[str] = field(default_factory=list)
    references: list[str] = field(default_factory=list)
    documentation: list[str] = field(default_factory=list)
    acceptance_criteria: list[str] = field(default_factory=list)
    definition_of_done: list[str] = field(default_factory=list)
    implementation_plan: str | None = None
    implementation_notes: str | None = None
    final_summary: str | None = None
    due_date: str | None = None
    ordinal: int | float | None = None
    draft: bool = False
    sections: list[str] = field(default_factory=list)  # ``## Title`` blocks Backlog.md does not know


@dataclass
class Update:
    """The result of an edit: the task before and after, and what changed."""

    before: Task
    after: Task
    changed: list[str]
