"""The frontmatter fields of a Backlog.md 1.52 task, in one table.

Every other list of task fields derives from ``FIELDS``: the key order a file is
written in, the keys the fast reader knows, the layout of a task record (records.py),
which fields are lists. Each field says how Backlog.md reads its value (``kind``: the
String()/array rules of its parser) and whether it writes the key when the value is
empty (``written``).
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any, NamedTuple

from flowops.backlog import jsyaml
from flowops.backlog.sections import SPECS

# How Backlog.md reads a value.
TEXT = "text"  # String(value)
LIST = "list"  # an array of String(item); anything else is []
LIST_OR_ITEM = "list-or-item"  # as LIST, but a single value is a one-item list (assignee)
DATE = "date"  # a 'YYYY-MM-DD HH:mm' or 'YYYY-MM-DD' stamp, normalised
DUE = "due"  # a 'YYYY-MM-DD' date
PRIORITY = "priority"  # lower case, inner whitespace collapsed
NUMBER = "number"  # a number, or absent

# When Backlog.md writes the key.
ALWAYS = "always"  # even when empty ("status: ''", "labels: []")
WHEN_SET = "when set"  # only when the value is not empty (a number: when not None)


class Field(NamedTuple):
    """One frontmatter key, the Task attribute that holds it, and Backlog.md's rules for it."""

    # A NamedTuple, not a frozen dataclass: it is built at import, on every command that
    # reads a task, and costs a quarter as much (~0.2 ms against ~0.9 ms).
    key: str
    attr: str
    kind: str
    written: str

    @property
    def is_list(self) -> bool:
        return self.kind in (LIST, LIST_OR_ITEM)


# In the order Backlog.md writes the keys.
FIELDS: tuple[Field, ...] = (
    Field("id", "id", TEXT, ALWAYS),
    Field("title", "title", TEXT, ALWAYS),
    Field("status", "status", TEXT, ALWAYS),
    Field("assignee", "assignees", LIST_OR_ITEM, ALWAYS),
    Field("reporter", "reporter", TEXT, WHEN_SET),
    Field("created_date", "created_date", DATE, ALWAYS),
    Field("updated_date", "updated_date", DATE, WHEN_SET),
    Field("due_date", "due_date", DUE, WHEN_SET),
    Field("labels", "labels", LIST, ALWAYS),
    Field("milestone", "milestone", TEXT, WHEN_SET),
    Field("dependencies", "dependencies", LIST, ALWAYS),
    Field("references", "references", LIST, WHEN_SET),
    Field("documentation", "documentation", LIST, WHEN_SET),
    Field("modified_files", "modified_files", LIST, WHEN_SET),
    Field("parent_task_id", "parent_task_id", TEXT, WHEN_SET),
    Field("subtasks", "subtasks", LIST, WHEN_SET),
    Field("priority", "priority", PRIORITY, WHEN_SET),
    Field("type", "type", TEXT, WHEN_SET),
    Field("project", "project", TEXT, WHEN_SET),
    Field("ordinal", "ordinal", NUMBER, WHEN_SET),
    Field("onStatusChange", "on_status_change", TEXT, WHEN_SET),
)

KEY_ORDER: list[str] = [f.key for f in FIELDS]
KNOWN_KEYS: frozenset[str] = frozenset(KEY_ORDER)
LIST_FIELDS: tuple[Field, ...] = tuple(f for f in FIELDS if f.is_list)
SCALAR_FIELDS: tuple[Field, ...] = tuple(f for f in FIELDS if not f.is_list)

# The body's sections (sections.SPECS is their table), by the Task attribute that holds them.
TEXT_SECTIONS: tuple[str, ...] = tuple(spec.key for spec in SPECS if spec.kind == "text")
CHECKLISTS: tuple[str, ...] = tuple(spec.key for spec in SPECS if spec.kind == "checklist")


# -- reading (Backlog.md's rules) ---------------------------------------------------------


def read_value(field: Field, value: Any) -> Any:
    """The Task value Backlog.md derives from the frontmatter value of ``field`` (None when absent)."""
    kind = field.kind
    if kind == TEXT:
        text = jsyaml.js_string(value)
        return text if text or field.written == ALWAYS else None
    if kind in (LIST, LIST_OR_ITEM):
        return _as_list(value, scalar_is_item=kind == LIST_OR_ITEM)
    if kind == DATE:
        stamp = normalize_date(value)
        return stamp if stamp or field.written == ALWAYS else None
    if kind == DUE:
        return _due_date(value)
    if kind == PRIORITY:
        return (" ".join(jsyaml.js_string(value).split()).lower() or None) if value is not None else None
    if kind == NUMBER:
        return _as_number(value)
    raise ValueError(f"unknown field kind {kind!r}")  # pragma: no cover - the table is fixed


def normalize_date(value: Any) -> str:
    """A frontmatter date as Backlog.md normalises it: 'YYYY-MM-DD HH:mm' or 'YYYY-MM-DD'."""
    if value is None or value == "":
        return ""
    if isinstance(value, datetime):
        if (value.hour, value.minute, value.second) == (0, 0, 0):
            return value.strftime("%Y-%m-%d")
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    text = str(value).strip().strip("'\"")
    if re.fullmatch(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}", text) or re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        return text
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}", text):
        return text.replace("T", " ")
    match = re.fullmatch(r"(\d{2})[-/.](\d{2})[-/.](\d{2})", text)
    if match:
        day, month, year = match.groups()
        return f"20{year}-{month}-{day}"
    return text


def _as_list(value: Any, *, scalar_is_item: bool) -> list[str]:
    if isinstance(value, list):
        return [jsyaml.js_string(item) for item in value]
    if value is None or value == "" or not scalar_is_item:
        return []
    return [jsyaml.js_string(value)]


def _as_number(value: Any) -> int | float | None:
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return value
    try:
        number = float(str(value).strip())
    except ValueError:
        return None
    return int(number) if number.is_integer() else number


def _due_date(value: Any) -> str | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d")
    if isinstance(value, date):
        return value.isoformat()
    text = str(value).strip()
    match = re.match(r"^(\d{4})-(\d{2})-(\d{2})", text)
    return "-".join(match.groups()) if match else text


# -- writing --------------------------------------------------------------------------------


def written_value(field: Field, value: Any) -> Any:
    """What to write for ``field`` holding ``value``, or None when the key should be absent."""
    if field.is_list:
        return list(value) if value or field.written == ALWAYS else None
    if field.kind == NUMBER:
        return value  # 0 is a value; None is absent
    if field.written == ALWAYS:
        return value if value is not None else ""
    return value if value else None


__all__ = [
    "ALWAYS",
    "CHECKLISTS",
    "FIELDS",
    "KEY_ORDER",
    "KNOWN_KEYS",
    "LIST_FIELDS",
    "SCALAR_FIELDS",
    "TEXT_SECTIONS",
    "WHEN_SET",
    "Field",
    "normalize_date",
    "read_value",
    "written_value",
]
