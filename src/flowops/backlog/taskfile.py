"""Reading and writing one Backlog.md task file, losslessly.

``TaskFile.parse`` keeps the exact bytes, the frontmatter entries and the body blocks;
``render(task)`` compares the task with what was read and re-renders only the fields
that changed (in Backlog.md's format). An unchanged task renders to the same bytes.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

from flowops.backlog.fields import CHECKLISTS, FIELDS, KEY_ORDER, KNOWN_KEYS, TEXT_SECTIONS, WHEN_SET, read_value, written_value
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
        front = f"{front_text}\n" if front_text else ""
        text = f"{self.open_line}\n{front}{self.close_line}\n{body_text}"
        if self.newline == "\r\n":
            text = text.replace("\n", "\r\n")
        return (self.bom + text).encode("utf-8")


# -- frontmatter values ------------------------------------------------------------------


def task_from_frontmatter(front: Frontmatter) -> Task:
    return task_from_values(front.as_dict())


def task_from_values(values: dict[str, Any]) -> Task:
    """The Task fields Backlog.md derives from frontmatter ``values`` (fields.py has its rules)."""
    get = values.get
    task = Task(**{field.attr: read_value(field, get(field.key)) for field in FIELDS})
    task.extra = {key: value for key, value in values.items() if key not in KNOWN_KEYS}
    return task


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
    def read(cls, path: Path, folder: str = "tasks") -> TaskFile:
        """Read the regular file ``path`` (never a symlink, FIFO or device; size checked first)."""
        return cls(read_backlog_file(path), path, folder)

    def changed_fields(self, task: Task) -> list[str]:
        """Names of the Task attributes that differ from what the file holds."""
        names = [f.attr for f in FIELDS if getattr(task, f.attr) != getattr(self._original, f.attr)]
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
        for field in FIELDS:
            if field.attr not in changed:
                continue
            value = written_value(field, getattr(task, field.attr))
            if value is None:
                front.delete(field.key)
            else:
                front.set(field.key, value, order=KEY_ORDER)
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


def read_backlog_file(path: str | Path) -> bytes:
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
    for field in FIELDS:
        if field.attr not in changed:
            continue
        wanted, got = getattr(task, field.attr), getattr(reread, field.attr)
        if field.written == WHEN_SET:
            wanted, got = wanted or None, got or None
        if wanted != got:
            raise ValueError(f"{field.attr} {wanted!r} would read back as {got!r}; nothing was written")


def _criteria_key(items: list[Criterion]) -> list[tuple[str, bool]]:
    return [(c.text.strip(), c.checked) for c in items]


def render_new_task(task: Task, sections: tuple[str, ...] | list[str] = ()) -> bytes:
    """A new task file exactly as Backlog.md 1.52 writes one.

    ``sections`` are whole ``## Title`` blocks Backlog.md does not know (it keeps them
    as written); they follow the description.
    """
    front = Frontmatter()
    for field in FIELDS:
        value = written_value(field, getattr(task, field.attr))
        if value is not None:
            front.set(field.key, value, order=KEY_ORDER)
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
    final_summary = task.final_summary or ""
    if final_summary.strip():
        blocks.append(render_text_section("final_summary", final_summary))
    content = "\n\n".join(blocks)
    body = f"\n{content}\n" if content else "\n\n"
    return f"---\n{front.render()}\n---\n{body}".encode()


__all__ = [
    "Comment",
    "Criterion",
    "MAX_FILE_BYTES",
    "SplitDocument",
    "TaskFile",
    "TaskParseError",
    "render_new_task",
    "task_from_frontmatter",
]
