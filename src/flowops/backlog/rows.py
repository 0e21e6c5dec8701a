"""Listing rows: what ``task list --plain`` and ``search`` print and filter on, without Task objects.

A warm listing of 10,000 tasks spent most of its time loading every field of every task
(descriptions, notes, criteria) from the cache and building Task objects it then printed
four fields of. A row holds only the fields a listing shows, sorts and filters by; it is a
named tuple (attribute names as on Task, so the listing's filters, sorts and plain lines take
either), made straight from the cache's arrays. ``search`` also needs the text it matches,
kept apart (``tasks-text.json``) so a listing never loads it. Both are cached per file like
the task records (index.py) and derived from the same records (records.to_row, to_text),
so a listing and a full load agree field by field.

This module is imported on every listing: it imports nothing heavy.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple, Protocol

if TYPE_CHECKING:
    from flowops.backlog.store import BadFile

ROWS_NAME = "tasks-rows.json"
TEXT_NAME = "tasks-text.json"
ROWS_FORMAT = 2


class Listed(Protocol):
    """What listing, sorting and ``task list --plain`` read of a task: a Task and a Row both have it."""

    @property
    def id(self) -> str: ...
    @property
    def title(self) -> str: ...
    @property
    def status(self) -> str: ...
    @property
    def priority(self) -> str | None: ...
    @property
    def type(self) -> str | None: ...
    @property
    def ac_total(self) -> int: ...
    @property
    def ac_completed(self) -> int: ...
    @property
    def due_date(self) -> str | None: ...
    @property
    def labels(self) -> list[str]: ...
    @property
    def assignees(self) -> list[str]: ...
    @property
    def parent_task_id(self) -> str | None: ...
    @property
    def ordinal(self) -> int | float | None: ...
    @property
    def created_date(self) -> str: ...
    @property
    def updated_date(self) -> str | None: ...


class Row(NamedTuple):
    """One task as a listing sees it (records.to_row builds it)."""

    id: str
    title: str
    status: str
    priority: str | None
    type: str | None
    ac_total: int
    ac_completed: int
    due_date: str | None
    labels: list[str]
    assignees: list[str]
    parent_task_id: str | None
    ordinal: int | float | None
    created_date: str
    updated_date: str | None
    # naming.id_parts(id) as the cache holds it ([prefix, [numbers]] or None): a listing
    # from the cache sorts without parsing 10,000 ids again.
    id_sort: list | None


ROW_FIELDS = len(Row._fields)


class RowListing(NamedTuple):
    """A listing as rows, in the order of ``Backlog.load``, with its unreadable files and the ids several files claim.

    ``texts`` holds search's text of each row, in step, when asked for (``Backlog.rows``).
    ``id_ordered``: the rows are also in listing.id_key's order (every id has one prefix),
    so ``listing.select`` need not sort them by id again. Kept here rather than in store.py
    so that commands reading one task do not build it.
    """

    rows: list[Row]
    bad: list[BadFile]
    duplicates: dict[str, list[Path]]
    texts: list[list[str]] | None = None
    id_ordered: bool = False
    # search.score_rows' (negated) score of each row for the query Backlog.render_rows was
    # given, None for no hit, when the readers worked it out (a cold search); else None.
    scores: list[float | None] | None = None

