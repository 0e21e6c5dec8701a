"""Full-text search over tasks and documents, ranked.

Every word of the query must appear somewhere in a task (id, title, description,
criteria, notes, labels, comments). The score favours matches in the id and title,
then labels, then the description, then the rest, so the likely task comes first.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Generic, TypeVar

from flowops.backlog.rows import Listed, Row

if TYPE_CHECKING:
    from flowops.backlog.model import Document, Task

# The row fields search_rows and ``search --plain`` read (Backlog.rows' ``fields``).
ROW_FIELDS_READ = frozenset({"id", "title", "status", "priority"})  # the labels come lowered (RowListing.lowered)
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


def search_rows(rows: list[Row], texts: Sequence[Sequence[str]], documents: list[Document], query: str, *,
                limit: int | None = None, lowered: tuple[list[str], list[str], list[str]] | None = None) -> list[Hit[Row]]:
    """``search`` over listing rows and their text (store.Backlog.rows with ``text=True``): the same hits, no Task built.

    ``lowered``: the rows' lower-cased ids, titles and labels (RowListing.lowered), worked
    out here when not given. Field by field over all candidates rather than task by task:
    each word's best field (score_fields' definition: the highest weight among the fields
    holding it, a part of a word counting 0.85 of a whole one) is one conditional
    expression per candidate, in a comprehension, and the hits are sorted as (key,
    position) tuples.
    """
    words = query.lower().split()
    if not words:
        return []
    if lowered is None:
        from flowops.backlog.columns import lower_fields

        lowered = lower_fields(rows)
    # Most tasks miss some word: substring tests on the text settle them first.
    word = words[0]
    candidates = [(row, ident, title, labels, description, rest)
                  for row, ident, title, labels, (description, rest) in zip(rows, *lowered, texts, strict=True)
                  if word in description or word in rest or word in title or word in labels or word in ident]
    for word in words[1:]:
        candidates = [item for item in candidates
                      if word in item[4] or word in item[5] or word in item[2] or word in item[3] or word in item[1]]
    totals = [0.0] * len(candidates)
    for word in words:
        totals = [total + best for total, best in zip(totals, _best_per_field(candidates, word), strict=True)]
    count = len(words)
    found = [(-score, "task", item[0].id, position, item[0], score)
             for position, (item, total) in enumerate(zip(candidates, totals, strict=True)) if (score := round(total / count, 3))]
    hits: list[Hit[Row]] = [Hit(score, row) for *_key, row, score in sorted(found)] if not documents \
        else _ranked([Hit(score, row) for *_key, row, score in found], documents, words, None)
    return hits[:limit] if limit else hits


# Each field's weight, and 0.85 of it for a part of a word: the same floats score_fields uses.
_ID_W, _TITLE_W, _LABELS_W, _DESCRIPTION_W, _REST_W = (weight for _name, weight in _FIELD_WEIGHTS)
_PART = 0.85


def _best_per_field(candidates: list[tuple[Row, str, str, str, str, str]], word: str) -> list[float]:
    """Per candidate (row, then its id, title, labels, description, rest, lower-cased): the best weight of ``word`` among its fields.

    The weights fall field by field (id = title > labels > description > rest, a part of a
    word 0.85 of a whole one), so the first field that holds the word whole settles it,
    and a field holding only a part of it can be beaten by a later whole one only while
    that later weight is higher: the nested conditions below are that order, written out.
    ``whole`` is ``f" {word} " in f" {text} "`` without copying the text.
    """
    before, after, both = word + " ", " " + word, " " + word + " "

    def whole(text: str) -> bool:
        return text == word or text.startswith(before) or text.endswith(after) or both in text

    # id or title (1.0, both): whole, else a part (0.85), which only the other one whole beats;
    # labels (0.8): whole, else a part (0.68), which only a whole description (0.7) beats;
    # description (0.7): whole, else a part (0.595), which the rest (at most 0.5) never beats.
    return [
        ((_ID_W if whole(ident) or (word in title and whole(title)) else _ID_W * _PART) if word in ident else
         (_TITLE_W if whole(title) else _TITLE_W * _PART) if word in title else
         (_LABELS_W if whole(labels) else _DESCRIPTION_W if word in description and whole(description) else _LABELS_W * _PART)
         if word in labels else
         # (whole() written out for the description, where most words are found: no call)
         (_DESCRIPTION_W if description == word or description.startswith(before) or description.endswith(after) or both in description
          else _DESCRIPTION_W * _PART) if word in description else
         (_REST_W if whole(rest) else _REST_W * _PART) if word in rest else 0.0)
        for _row, ident, title, labels, description, rest in candidates
    ]


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
