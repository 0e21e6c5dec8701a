"""The task, document and decision records of a Backlog.md backlog."""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from flowops.backlog.sections import Comment, Criterion

if TYPE_CHECKING:
    from flowops.backlog.written import Decision, Document

__all__ = ["Comment", "Criterion", "Decision", "Document", "Task"]


@dataclass
class Task:
    """A task (or draft) as Backlog.md 1.52 models it.

    Attribute names follow Python conventions; ``to_backlog_json`` gives Backlog.md's
    JSON field names. ``extra`` holds frontmatter keys Backlog.md does not know (kept
    on write, read-only here).
    """

    id: str
    title: str
    status: str = ""
    assignees: list[str] = field(default_factory=list)
    reporter: str | None = None
    created_date: str = ""
    updated_date: str | None = None
    due_date: str | None = None
    labels: list[str] = field(default_factory=list)
    milestone: str | None = None
    dependencies: list[str] = field(default_factory=list)
    references: list[str] = field(default_factory=list)
    documentation: list[str] = field(default_factory=list)
    modified_files: list[str] = field(default_factory=list)
    parent_task_id: str | None = None
    subtasks: list[str] = field(default_factory=list)
    priority: str | None = None
    type: str | None = None
    project: str | None = None
    ordinal: int | float | None = None
    on_status_change: str | None = None
    description: str = ""
    acceptance_criteria: list[Criterion] = field(default_factory=list)
    definition_of_done: list[Criterion] = field(default_factory=list)
    implementation_plan: str | None = None
    implementation_notes: str | None = None
    final_summary: str | None = None
    comments: list[Comment] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)
    # Where the task was read from. Stored as given (a str from a directory scan is made a
    # Path only when asked for: building 10,000 Path objects costs ~0.1 s of a listing).
    _path: Any = field(default=None, repr=False, compare=False)
    folder: str = "tasks"  # tasks | completed | drafts | archive

    @property
    def path(self) -> Path | None:
        value = self._path
        if value is not None and not isinstance(value, Path):
            value = self._path = Path(value)
        return value

    @path.setter
    def path(self, value: Path | str | None) -> None:
        self._path = value

    def copy(self) -> Task:
        return copy.deepcopy(self)

    @property
    def ac_completed(self) -> int:
        return sum(1 for c in self.acceptance_criteria if c.checked)

    @property
    def ac_total(self) -> int:
        """How many acceptance criteria the task has (a listing row carries the same count)."""
        return len(self.acceptance_criteria)

    def unchecked_criteria(self) -> list[Criterion]:
        return [c for c in self.acceptance_criteria if not c.checked]


def __getattr__(name: str):
    # Documents and decisions live in flowops.backlog.written, built only by the commands
    # that read or write them (~0.6 ms of every task command's start-up otherwise).
    if name in ("Document", "Decision"):
        from flowops.backlog import written

        return getattr(written, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
