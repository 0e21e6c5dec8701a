"""Tasks as plain tuples, for the index cache and for passing between processes.

Pickling dataclass instances is slow (10,000 tasks took ~0.4 s to load); tuples of
strings load in milliseconds. ``to_record``/``from_record`` convert losslessly for every
field the listing, search and JSON views use.

A record is ``(scalars, lists, acceptance criteria, definition of done, comments, extra)``:
``scalars`` holds the non-list frontmatter fields in fields.FIELDS order, then the text
sections; ``lists`` the list fields in that order; the checklists are ``(text, checked)``
pairs, the comments ``(body, author, created)``; ``extra`` the keys Backlog.md does not
know, or None. Its layout is the index cache's format (index.CACHE_FORMAT).
"""

from __future__ import annotations

import dataclasses
from itertools import chain

from flowops.backlog.fields import LIST_FIELDS, SCALAR_FIELDS, TEXT_SECTIONS
from flowops.backlog.model import Task
from flowops.backlog.naming import id_parts
from flowops.backlog.sections import Comment, Criterion

Record = tuple

SCALARS: tuple[str, ...] = tuple(f.attr for f in SCALAR_FIELDS) + TEXT_SECTIONS
LISTS: tuple[str, ...] = tuple(f.attr for f in LIST_FIELDS)


def to_record(task: Task) -> Record:
    return (
        tuple(getattr(task, name) for name in SCALARS),
        tuple(tuple(getattr(task, name)) for name in LISTS),
        tuple((c.text, c.checked) for c in task.acceptance_criteria),
        tuple((c.text, c.checked) for c in task.definition_of_done),
        tuple((c.body, c.author, c.created) for c in task.comments),
        task.extra or None,
    )


_NAMES = SCALARS + LISTS
# Every Task attribute, in declaration order: a copy is a dict already big enough for all
# of them, so filling it never resizes it (building it key by key costs ~5 % more).
_EMPTY_TASK_DICT = dict.fromkeys(f.name for f in dataclasses.fields(Task))
_new_task = Task.__new__


def from_record(record: Record) -> Task:
    # Filling __dict__ directly skips the dataclass __init__ (30 defaults, ~2x slower);
    # a listing builds 10,000 of these.
    scalars, lists, ac, dod, comments, extra = record
    values = _EMPTY_TASK_DICT.copy()
    # Not strict: the index cache's format and version checks vouch for the layout, and a
    # strict zip costs ~4 ms more per 10,000 tasks.
    values.update(zip(_NAMES, chain(scalars, map(list, lists)), strict=False))
    values.update(
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


# Where to_row and to_text find their fields in a record (see rows.py for the row's layout).
_AT = {name: i for i, name in enumerate(SCALARS)}
_ROW_SCALARS = tuple(_AT[name] for name in ("id", "title", "status", "priority", "type"))
_DUE, _PARENT, _ORDINAL, _CREATED, _UPDATED = (_AT[n] for n in ("due_date", "parent_task_id", "ordinal", "created_date", "updated_date"))
_ASSIGNEES, _LABELS = LISTS.index("assignees"), LISTS.index("labels")
_TEXTS = tuple(_AT[name] for name in ("implementation_plan", "implementation_notes", "final_summary"))
_STATUS, _DESCRIPTION = _AT["status"], _AT["description"]


def to_row(record: Record) -> list:
    """The listing row (rows.Row, as a list) of a task record: only what ``task list`` prints and filters on."""
    scalars, lists, ac = record[0], record[1], record[2]
    row = [scalars[i] for i in _ROW_SCALARS]
    parts = id_parts(row[0])
    row += (len(ac), sum(1 for _text, checked in ac if checked), scalars[_DUE], list(lists[_LABELS]), list(lists[_ASSIGNEES]),
            scalars[_PARENT], scalars[_ORDINAL], scalars[_CREATED], scalars[_UPDATED],
            [parts[0], list(parts[1])] if parts is not None else None)
    return row


def to_text(record: Record) -> list[str]:
    """[description, the rest] of a task record, lower-cased, as search.task_fields has them."""
    scalars, lists, ac, dod, comments = record[0], record[1], record[2], record[3], record[4]
    rest = [scalars[i] or "" for i in _TEXTS]
    rest += [" ".join(lists[_ASSIGNEES]), scalars[_STATUS]]
    rest += [text for text, _checked in ac]
    rest += [text for text, _checked in dod]
    rest += [body for body, _author, _created in comments]
    return [scalars[_DESCRIPTION].lower(), "\n".join(rest).lower()]
