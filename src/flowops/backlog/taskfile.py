"""Reading and writing one Backlog.md task file, losslessly.

``TaskFile.parse`` keeps the exact bytes, the frontmatter entries and the body blocks;
``render(task)`` compares the task with what was read and re-renders only the fields
that changed (in Backlog.md's format). An unchanged task renders to the same bytes.
"""

from __future__ import annotations

import copy
import re
from datetime import date, datetime
from pathlib import Path
from typing import Any

from flowops.backlog import jsyaml
from flowops.backlog.frontmatter import Frontmatter, FrontmatterError
from flowops.backlog.model import Task
from flowops.backlog.naming import display_id
from flowops.backlog.sections import (
    Body,
    BodyError,
    Comment,
    Criterion,
    render_checklist,
    render_comments,
    render_text_section,
)

MAX_FILE_BYTES = 1024 * 1024

# (frontmatter key, Task attribute, kind). Kinds ending in "?" are omitted when empty.
FIELDS: tuple[tuple[str, str, str], ...] = (
    ("id", "id", "str"),
    ("title", "title", "str"),
    ("status", "status", "str"),
    ("assignee", "assignees", "list"),
    ("reporter", "reporter", "str?"),
    ("created_date", "created_date", "date"),
    ("updated_date", "updated_date", "date?"),
    ("due_date", "due_date", "str?"),
    ("labels", "labels", "list"),
    ("milestone", "milestone", "str?"),
    ("dependencies", "dependencies", "list"),
    ("references", "references", "list?"),
    ("documentation", "documentation", "list?"),
    ("modified_files", "modified_files", "list?"),
    ("parent_task_id", "parent_task_id", "str?"),
    ("subtasks", "subtasks", "list?"),
    ("priority", "priority", "str?"),
    ("type", "type", "str?"),
    ("project", "project", "str?"),
    ("ordinal", "ordinal", "number?"),
    ("onStatusChange", "on_status_change", "str?"),
)
KEY_ORDER = [key for key, _attr, _kind in FIELDS]
_KNOWN_KEYS = set(KEY_ORDER)
TEXT_SECTIONS = ("description", "implementation_plan", "implementation_notes", "final_summary")
CHECKLISTS = ("acceptance_criteria", "definition_of_done")


class TaskParseError(ValueError):
    """A file that cannot be read as a task; ``line`` is 1-based in the file when known."""

    def __init__(self, reason: str, line: int | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.line = line


# -- splitting a document --------------------------------------------------------------


class SplitDocument:
    """A markdown file with YAML frontmatter, split without losing a byte."""

    def __init__(self, raw: bytes) -> None:
        if not raw.strip():
            raise TaskParseError("the file is empty")
        if len(raw) > MAX_FILE_BYTES:
            raise TaskParseError(
                f"the file is {len(raw) / 1048576:.1f} MiB, over the {MAX_FILE_BYTES // 1048576} MiB limit for a backlog file"
            )
        if b"\x00" in raw:
            raise TaskParseError("the file is binary (it contains NUL bytes)")
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            line = raw[: exc.start].count(b"\n") + 1
            raise TaskParseError(f"the file is not valid UTF-8 (byte {exc.start})", line) from None
        self.raw = raw
        self.bom = "\ufeff" if text.startswith("\ufeff") else ""
        text = text[len(self.bom) :]
        first_end = text.find("\n")
        self.newline = "\r\n" if first_end > 0 and text[first_end - 1] == "\r" else "\n"
        if self.newline == "\r\n":
            text = text.replace("\r\n", "\n")
        lines = text.split("\n")
        if lines[0].rstrip() != "---":
            raise TaskParseError("no frontmatter: the file must start with a '---' line", 1)
        close = next((i for i in range(1, len(lines)) if lines[i].rstrip() == "---"), None)
        if close is None:
            raise TaskParseError("the frontmatter has no closing '---' line", 1)
        self.open_line = lines[0]
        self.close_line = lines[close]
        self.front_text = "\n".join(lines[1:close])
        self.body_text = "\n".join(lines[close + 1 :])
        self.body_first_line = close + 2

    def assemble(self, front_text: str, body_text: str) -> bytes:
        text = f"{self.open_line}\n{front_text}\n{self.close_line}\n{body_text}" if front_text else f"{self.open_line}\n{self.close_line}\n{body_text}"
        if self.newline == "\r\n":
            text = text.replace("\n", "\r\n")
        return (self.bom + text).encode("utf-8")


# -- value conversions (Backlog.md's reading rules) --------------------------------------


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


def task_from_frontmatter(front: Frontmatter) -> Task:
    return task_from_values(front.as_dict())


def task_from_values(values: dict[str, Any]) -> Task:
    """The Task fields Backlog.md derives from frontmatter ``values`` (its String()/array rules)."""
    get = values.get
    priority = get("priority")
    task = Task(
        id=jsyaml.js_string(get("id")),
        title=jsyaml.js_string(get("title")),
        status=jsyaml.js_string(get("status")),
        assignees=_as_list(get("assignee"), scalar_is_item=True),
        reporter=jsyaml.js_string(get("reporter")) or None,
        created_date=normalize_date(get("created_date")),
        updated_date=normalize_date(get("updated_date")) or None,
        due_date=_due_date(get("due_date")),
        labels=_as_list(get("labels"), scalar_is_item=False),
        milestone=jsyaml.js_string(get("milestone")) or None,
        dependencies=_as_list(get("dependencies"), scalar_is_item=False),
        references=_as_list(get("references"), scalar_is_item=False),
        documentation=_as_list(get("documentation"), scalar_is_item=False),
        modified_files=_as_list(get("modified_files"), scalar_is_item=False),
        parent_task_id=jsyaml.js_string(get("parent_task_id")) or None,
        subtasks=_as_list(get("subtasks"), scalar_is_item=False),
        priority=(" ".join(jsyaml.js_string(priority).split()).lower() or None) if priority is not None else None,
        type=jsyaml.js_string(get("type")) or None,
        project=jsyaml.js_string(get("project")) or None,
        ordinal=_as_number(get("ordinal")),
        on_status_change=jsyaml.js_string(get("onStatusChange")) or None,
    )
    task.extra = {key: value for key, value in values.items() if key not in _KNOWN_KEYS}
    return task


def _frontmatter_value(task: Task, attr: str, kind: str) -> Any:
    """The value to write for ``attr``, or None when the key should be absent."""
    value = getattr(task, attr)
    if kind == "list":
        return list(value)
    if kind == "list?":
        return list(value) if value else None
    if kind == "number?":
        return value
    if kind in ("str", "date"):
        return value if value is not None else ""
    return value if value else None


# -- the file ------------------------------------------------------------------------------


class TaskFile:
    """One task file: exact bytes plus an editable structure."""

    def __init__(self, raw: bytes, path: Path | None = None, folder: str = "tasks") -> None:
        self.path = path
        self.doc = SplitDocument(raw)
        try:
            self.front = Frontmatter.parse(self.doc.front_text, first_line=2)
        except FrontmatterError as exc:
            raise TaskParseError(str(exc), exc.line) from None
        try:
            self.body = Body.parse(self.doc.body_text)
        except BodyError as exc:
            line = self.doc.body_first_line + exc.line - 1 if exc.line else None
            raise TaskParseError(str(exc), line) from None
        task = task_from_frontmatter(self.front)
        if not task.id:
            raise TaskParseError("the frontmatter has no 'id'", 2)
        task.id = display_id(task.id)
        task.description = self.body.text_value("description") or ""
        task.implementation_plan = self.body.text_value("implementation_plan")
        task.implementation_notes = self.body.text_value("implementation_notes")
        task.final_summary = self.body.text_value("final_summary")
        task.acceptance_criteria = self.body.checklist("acceptance_criteria")
        task.definition_of_done = self.body.checklist("definition_of_done")
        task.comments = self.body.comments()
        task.path = path
        task.folder = folder
        self._original = task
        self._task: Task | None = None

    @property
    def task(self) -> Task:
        """The task, free to mutate and hand to ``render`` (copied on first use)."""
        if self._task is None:
            self._task = self._original.copy()
        return self._task

    @property
    def parsed(self) -> Task:
        """The task as read; do not mutate (cheap: no copy)."""
        return self._original

    @classmethod
    def read(cls, path: Path, folder: str = "tasks") -> "TaskFile":
        """Read the regular file ``path`` (never a symlink, FIFO or device; size checked first)."""
        return cls(read_backlog_file(path), path, folder)

    def changed_fields(self, task: Task) -> list[str]:
        """Names of the Task attributes that differ from what the file holds."""
        names = [attr for _key, attr, _kind in FIELDS if getattr(task, attr) != getattr(self._original, attr)]
        for attr in (*TEXT_SECTIONS, "comments"):
            if getattr(task, attr) != getattr(self._original, attr):
                names.append(attr)
        for attr in CHECKLISTS:
            if _criteria_key(getattr(task, attr)) != _criteria_key(getattr(self._original, attr)):
                names.append(attr)
        return names

    def render(self, task: Task, body: Body | None = None) -> bytes:
        """The file with ``task``'s values; only changed fields are re-rendered.

        ``body`` is an edited copy of ``self.body`` whose other blocks (sections Backlog.md
        does not know, such as an incident's Timeline) are written as they stand.
        """
        changed = set(self.changed_fields(task))
        if not changed and (body is None or body.render() == self.doc.body_text):
            return self.doc.raw
        front = copy.deepcopy(self.front)
        for key, attr, kind in FIELDS:
            if attr not in changed:
                continue
            value = _frontmatter_value(task, attr, kind)
            if value is None:
                front.delete(key)
            else:
                front.set(key, value, order=KEY_ORDER)
        body = copy.deepcopy(self.body if body is None else body)
        for attr in TEXT_SECTIONS:
            if attr in changed:
                content = getattr(task, attr) or ""
                body.set_section(attr, render_text_section(attr, content) if content.strip() else None)
        for attr in CHECKLISTS:
            if attr in changed:
                previous = next(iter(body.find(attr)), None)
                body.set_section(attr, render_checklist(attr, getattr(task, attr), previous))
        if "comments" in changed:
            body.set_section("comments", render_comments(task.comments))
        body_text = body.render()
        if not body_text.strip() and changed & {*TEXT_SECTIONS, *CHECKLISTS, "comments"}:
            # The last section went: Backlog.md writes an empty body as a new task has it.
            body_text = "\n\n"
        elif body_text and not body_text.endswith("\n"):
            body_text += "\n"
        raw = self.doc.assemble(front.render(), body_text)
        _verify_frontmatter(raw, task, changed)
        return raw


def read_backlog_file(path: Path) -> bytes:
    """The bytes of a backlog file; TaskParseError when it is not a regular file or too big."""
    from flowops.safeio import RefusedFile, read_regular

    try:
        return read_regular(path, MAX_FILE_BYTES, what="a backlog file")
    except RefusedFile as exc:
        raise TaskParseError(exc.reason) from None


def check_size(data: bytes, what: str) -> None:
    """UsageError when ``data`` is over MAX_FILE_BYTES: flowops never writes a file it would refuse to read."""
    if len(data) > MAX_FILE_BYTES:
        from flowops.errors import UsageError

        raise UsageError(
            f"{what} would be {len(data) / 1048576:.1f} MiB, over the {MAX_FILE_BYTES // 1048576} MiB limit "
            "for a backlog file; nothing was changed",
            hint="keep long notes in a document (`flowops doc create`) and link it from the task",
        )


def _verify_frontmatter(raw: bytes, task: Task, changed: set[str]) -> None:
    """Raise ValueError unless ``raw`` reads back with exactly ``task``'s values for the changed fields.

    Replacing a field is exact by construction (the parser's own marks bound each entry);
    this is the last line of defence: a file that would read back differently, or not at
    all, is never written.
    """
    if len(raw) > MAX_FILE_BYTES:
        return  # the writer's check_size refuses it with a clearer message
    try:
        reread = TaskFile(raw).parsed
    except TaskParseError as exc:
        raise ValueError(f"the edited file would not read back ({exc.reason}); nothing was written") from None
    for _key, attr, kind in FIELDS:
        if attr not in changed:
            continue
        wanted, got = getattr(task, attr), getattr(reread, attr)
        if kind.endswith("?"):
            wanted, got = wanted or None, got or None
        if wanted != got:
            raise ValueError(f"{attr} {wanted!r} would read back as {got!r}; nothing was written")


def _criteria_key(items: list[Criterion]) -> list[tuple[str, bool]]:
    return [(c.text.strip(), c.checked) for c in items]


def render_new_task(task: Task, sections: tuple[str, ...] | list[str] = ()) -> bytes:
    """A new task file exactly as Backlog.md 1.52 writes one.

    ``sections`` are whole ``## Title`` blocks Backlog.md does not know (it keeps them
    as written); they follow the description.
    """
    front = Frontmatter()
    for key, attr, kind in FIELDS:
        value = _frontmatter_value(task, attr, kind)
        if value is not None:
            front.set(key, value, order=KEY_ORDER)
    for key, value in task.extra.items():
        front.set(key, value)
    blocks = []
    if task.description.strip():
        blocks.append(render_text_section("description", task.description))
    blocks.extend(section.strip("\n") for section in sections if section.strip())
    for attr in CHECKLISTS:
        section = render_checklist(attr, getattr(task, attr))
        if section:
            blocks.append(section)
    for attr in ("implementation_plan", "implementation_notes"):
        if (getattr(task, attr) or "").strip():
            blocks.append(render_text_section(attr, getattr(task, attr)))
    comments = render_comments(task.comments)
    if comments:
        blocks.append(comments)
    if (task.final_summary or "").strip():
        blocks.append(render_text_section("final_summary", task.final_summary))
    content = "\n\n".join(blocks)
    body = f"\n{content}\n" if content else "\n\n"
    return f"---\n{front.render()}\n---\n{body}".encode("utf-8")


__all__ = [
    "Comment",
    "Criterion",
    "FIELDS",
    "KEY_ORDER",
    "MAX_FILE_BYTES",
    "SplitDocument",
    "TaskFile",
    "TaskParseError",
    "normalize_date",
    "render_new_task",
    "task_from_frontmatter",
]
