"""Full-text search over tasks and documents, ranked.

Every word of the query must appear somewhere in a task (id, title, description,
criteria, notes, labels, comments). The score favours matches in the id and title,
then labels, then the description, then the rest, so the likely task comes first.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Generic, TypeVar

from flowops.backlog.rows import Listed, Row, row_fields

if TYPE_CHECKING:
    from flowops.backlog.model import Document, Task

# The row fields search_rows and ``search --plain`` read (Backlog.rows' ``fields``).
ROW_FIELDS_READ = frozenset({"id", "title", "labels", "status", "priority"})
_FIELD_WEIGHTS = (("id", 1.0), ("title", 1.0), ("labels", 0.8), ("description", 0.7), ("rest", 0.5))
T = TypeVar("T", bound=Listed)


@dataclass
class Hit(Generic[T]):
    score: float
    item: T | Document  # a Task (search) or a listing row (search_rows), or a document
    kind: str = "task"  # or "document"; kept rather than derived, so rows need no model import


def task_fields(task: Task) -> dict[str, str]:
    """The lower-cased text of a task, by field, for matching and scoring."""
    rest = [task.implementation_plan or "", task.implementation_notes or "", task.final_summary or "",
            " ".join(task.assignees), task.status]
    rest += [c.text for c in task.acceptance_criteria]
    rest += [c.text for c in task.definition_of_done]
    rest += [c.body for c in task.comments]
    return {
        "id": task.id.lower(),
        "title": task.title.lower(),
        "labels": " ".join(task.labels).lower(),
        "description": task.description.lower(),
        "rest": "\n".join(rest).lower(),
    }


def score_fields(fields: dict[str, str], words: list[str]) -> float:
    """0 when some word is missing everywhere; otherwise in (0, 1]."""
    total = 0.0
    for word in words:
        best = 0.0
        whole = f" {word} "
        for name, weight in _FIELD_WEIGHTS:
            if weight <= best:
                break  # the weights only fall: no later field can score higher
            text = fields.get(name, "")
            if word in text:
                # A whole-word match counts fully, a part of a word a bit less.
                if whole in f" {text} ":
                    best = weight
                    break
                best = max(best, weight * 0.85)
        if best == 0.0:
            return 0.0
        total += best
    return round(total / len(words), 3)


def search(tasks: list[Task], documents: list[Document], query: str, *, limit: int | None = None) -> list[Hit[Task]]:
    """Tasks and documents that contain every word of ``query``, best first."""
    words = query.lower().split()
    if not words:
        return []
    return _ranked(_scored(((task, task_fields(task)) for task in tasks), words), documents, words, limit)


def search_rows(rows: list[Row], texts: list[list[str]], documents: list[Document], query: str, *,
                limit: int | None = None) -> list[Hit[Row]]:
    """``search`` over listing rows and their text (store.Backlog.rows with ``text=True``): the same hits, no Task built."""
    words = query.lower().split()
    if not words:
        return []

    def candidates() -> Iterable[tuple[Row, dict[str, str]]]:
        for row, text in zip(rows, texts, strict=True):
            # Most tasks miss some word: a substring test on the whole text settles them
            # before the fields are split out and scored (the id, title and labels only
            # when the text lacks a word).
            description, rest = text
            head = None
            for word in words:
                if word in description or word in rest:
                    continue
                if head is None:
                    head = f"{row.id}\n{row.title}\n{' '.join(row.labels)}".lower()
                if word not in head:
                    break
            else:
                yield row, row_fields(row, text)

    return _ranked(_scored(candidates(), words), documents, words, limit)


def _scored(candidates: Iterable[tuple[T, dict[str, str]]], words: list[str]) -> list[Hit[T]]:
    hits: list[Hit[T]] = []
    for task, fields in candidates:
        score = score_fields(fields, words)
        if score:
            hits.append(Hit(score, task))
    return hits


def _ranked(hits: list[Hit[T]], documents: list[Document], words: list[str], limit: int | None) -> list[Hit[T]]:
    for document in documents:
        fields = {"id": document.id.lower(), "title": document.title.lower(), "labels": " ".join(document.tags).lower(),
                  "description": document.body.lower()}
        score = score_fields(fields, words)
        if score:
            hits.append(Hit(score, document, "document"))
    hits.sort(key=lambda h: (-h.score, h.kind, h.item.id))
    return hits[:limit] if limit else hits
