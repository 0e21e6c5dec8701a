"""Task ids and file names as Backlog.md writes them.

Ids are ``<PREFIX>-<n>`` with optional subtask parts (``TASK-12.1``), upper case in
frontmatter and lower case in file names: ``task-12.1 - Sanitized-title.md``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from flowops.errors import UsageError

_FILENAME_ID_RE = re.compile(r"^([A-Za-z]+)-(\d+(?:\.\d+)*)(?: - .*)?\.md$")
_ID_RE = re.compile(r"^(?:([A-Za-z]+)-)?(\d+(?:\.\d+)*)$")
_DOC_ID_RE = re.compile(r"^(?:doc-)?(\d+(?:\.\d+)*)$", re.I)


@dataclass(frozen=True, order=True)
class TaskId:
    """A parsed task id; comparison and equality are numeric (``TASK-007`` == ``TASK-7``)."""

    prefix: str
    parts: tuple[int, ...]

    @property
    def number(self) -> int:
        return self.parts[0]

    @property
    def parent(self) -> TaskId | None:
        return TaskId(self.prefix, self.parts[:-1]) if len(self.parts) > 1 else None

    def format(self, padding: int = 0) -> str:
        """The upper-case id, zero-padded as Backlog.md pads (subtask parts to two digits)."""
        head = str(self.parts[0]).zfill(padding) if padding else str(self.parts[0])
        tail = [str(p).zfill(2) if padding else str(p) for p in self.parts[1:]]
        return "-".join([self.prefix.upper(), ".".join([head, *tail])])

    def __str__(self) -> str:
        return self.format()


def parse_task_id(text: str, default_prefix: str = "task") -> TaskId:
    """Parse ``7``, ``task-7``, ``TASK-7``, ``7.1`` or ``draft-3``; UsageError when it is not an id."""
    cleaned = text.strip()
    match = _ID_RE.match(cleaned)
    if not match:
        raise UsageError(
            f"'{text}' is not a task id",
            hint=f"use a number or {default_prefix.upper()}-<number>, e.g. {default_prefix.upper()}-12 or 12.1",
        )
    prefix = (match.group(1) or default_prefix).lower()
    return TaskId(prefix, tuple(int(p) for p in match.group(2).split(".")))


def try_parse_task_id(text: str, default_prefix: str = "task") -> TaskId | None:
    try:
        return parse_task_id(text, default_prefix)
    except UsageError:
        return None


_ID_PARTS_RE = re.compile(r"(?:([A-Za-z]+)-)?(\d+(?:\.\d+)*)")


IdParts = tuple[str, tuple[int, ...]]
_ID_PARTS: dict[str, IdParts | None] = {}


def id_parts(text: str) -> IdParts | None:
    """(lower-case prefix or "", numeric parts) of an id, for sorting; None if it is not an id.

    Remembered: listing sorts 10,000 ids more than once, and a listing from the cache
    hands over the parts it cached (``remember_id_parts``) so none is parsed again.
    """
    try:
        return _ID_PARTS[text]
    except KeyError:
        pass
    parsed = _ID_PARTS[text] = _parse_id_parts(text)
    return parsed


def remember_id_parts(ids: Iterable[str], parts: Iterable[IdParts | None]) -> None:
    """Record ``id_parts`` results worked out earlier (listing rows cache them): each must be id_parts(id)."""
    _ID_PARTS.update(zip(ids, parts, strict=True))


def _parse_id_parts(text: str) -> IdParts | None:
    # The common shape (``TASK-12``, ``task-3.1``) by plain string tests, the regex for the rest.
    head, dash, number = text.partition("-")
    if dash and head.isalpha() and head.isascii():
        parts = number.split(".")
        if all(part.isdecimal() and part.isascii() for part in parts):
            return head.lower(), tuple(map(int, parts))
    match = _ID_PARTS_RE.fullmatch(text.strip())
    if match is None:
        return None
    return (match.group(1) or "").lower(), tuple(map(int, match.group(2).split(".")))


_DISPLAY_ID_RE = re.compile(r"[A-Za-z]+-\d+(?:\.\d+)*")


def display_id(text: str) -> str:
    """An id as Backlog.md shows it: upper case (legacy files have ``task-7``)."""
    return text.upper() if _DISPLAY_ID_RE.fullmatch(text) else text


def id_from_filename(name: str) -> TaskId | None:
    """The id a task file's name carries (``task-12.1 - Title.md`` -> TASK-12.1), or None."""
    match = _FILENAME_ID_RE.match(name)
    if not match:
        return None
    return TaskId(match.group(1).lower(), tuple(int(p) for p in match.group(2).split(".")))


def sanitize_title(title: str) -> str:
    """Backlog.md's file-name form of a title."""
    text = re.sub(r'[<>:"/\\|?*]', "-", title)
    text = re.sub(r"['(),!@#$%^&+=\[\]{};]", "", text)
    text = re.sub(r"\s+", "-", text)
    text = re.sub(r"-+", "-", text)
    text = text.strip("-")
    return text or "untitled"


# File names stay well under the 255-byte limit of common file systems, with room for the
# temporary name an atomic write uses next to them; the title itself is kept whole in
# the frontmatter, so only the name is shortened.
MAX_NAME_BYTES = 200


def titled_filename(head: str, title: str) -> str:
    """``<head> - <sanitized title>.md``, the title part shortened to fit MAX_NAME_BYTES."""
    room = MAX_NAME_BYTES - len(f"{head} - .md".encode())
    part = sanitize_title(title)
    encoded = part.encode("utf-8", "surrogateescape")
    if len(encoded) > room:
        part = encoded[: max(room, 1)].decode("utf-8", "ignore").rstrip("-") or "untitled"
    return f"{head} - {part}.md"


def task_filename(task_id: str, title: str) -> str:
    return titled_filename(task_id.lower(), title)


def parse_doc_id(text: str) -> str:
    """Normalise ``3`` / ``doc-3`` / ``DOC-3`` to ``doc-3``."""
    match = _DOC_ID_RE.match(text.strip())
    if not match:
        raise UsageError(f"'{text}' is not a document id", hint="use doc-<number>, e.g. doc-3")
    return f"doc-{match.group(1)}"
