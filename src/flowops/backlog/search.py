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
    return [Hit(score, item, kind) for score, kind, item in rank_rows(rows, texts, documents, query, limit=limit)]


# score_fields' values, as it computes them, for the fields of a row in weight order.
_WEIGHT = dict(_FIELD_WEIGHTS)
_WHOLE_HEAD, _PART_HEAD = _WEIGHT["id"], _WEIGHT["id"] * 0.85  # the id and the title weigh the same
_WHOLE_LABELS, _PART_LABELS = _WEIGHT["labels"], _WEIGHT["labels"] * 0.85
_WHOLE_DESCRIPTION, _PART_DESCRIPTION = _WEIGHT["description"], _WEIGHT["description"] * 0.85
_WHOLE_REST, _PART_REST = _WEIGHT["rest"], _WEIGHT["rest"] * 0.85


def rank_rows(rows: list[Row], texts: list[list[str]], documents: list[Document], query: str, *,
              limit: int | None = None, scores: list[float | None] | None = None) -> list[tuple[float, str, Row | Document]]:
    """``search_rows``' hits as (score, kind, item) tuples, best first: what ``search --plain`` prints.

    ``scores``: each row's ``score_rows`` answer for this query, already worked out (a cold
    listing's readers do it, store.Backlog.render_rows): the rows are not scored again.
    """
    words = query.lower().split()
    if not words:
        return []
    if scores is None:
        scored = score_rows(rows, texts, words)
    else:
        scored = [(score, "task", row.id, position) for position, (row, score) in enumerate(zip(rows, scores, strict=True))
                  if score is not None]
    items: list[Row | Document] = list(rows)
    _document_hits(documents, words, scored, items)
    # (score, kind, id) as search sorts its hits; the position keeps equal ones in order, as a stable sort.
    scored.sort()
    if limit:
        del scored[limit:]
    return [(-score, kind, items[position]) for score, kind, _id, position in scored]


def score_rows(rows: Sequence[Sequence], texts: Sequence[Sequence[str]], words: list[str]) -> list[tuple[float, str, str, int]]:
    """(-score, "task", id, position) of each row (a Row, or its list) holding every one of ``words`` (lower-cased), in order.

    The benchmark's query matches ~7,000 of 10,000 tasks: per hit, a dict of its fields,
    ``score_fields``' loop over them and a Hit object cost ~3.5 us. Here each word's best
    field is decided by one chain of tests (the weights' order, held by a test: a part of
    an id or title word, 0.85, beats a whole label, 0.8; a part of a label, 0.68, loses to
    a whole description word, 0.7; a part of a description word, 0.595, beats a whole word
    of the rest, 0.5), with the same float values and the same sum as score_fields.
    """
    count = len(words)
    wholes = [(word, f" {word} ") for word in words]
    scored: list[tuple[float, str, str, int]] = []
    append = scored.append
    for position, (row, (description, rest)) in enumerate(zip(rows, texts, strict=True)):
        # Most tasks miss some word: a substring test on the whole text settles them
        # before the fields are split out and scored (the id, title and labels only
        # when the text lacks a word). Rows are indexed as rows.Row: id, title, ..., labels at 8.
        head = None
        for word in words:
            if word in description or word in rest:
                continue
            if head is None:
                head = f"{row[0]}\n{row[1]}\n{' '.join(row[8])}".lower()
            if word not in head:
                break
        else:
            task_id = row[0]
            lowered_id, title, labels = task_id.lower(), row[1].lower(), " ".join(row[8]).lower()
            total = 0.0
            for word, whole in wholes:
                if word in lowered_id or word in title:
                    total += _WHOLE_HEAD if whole in f" {lowered_id} " or whole in f" {title} " else _PART_HEAD
                elif word in labels:
                    if whole in f" {labels} ":
                        total += _WHOLE_LABELS
                    elif word in description and whole in f" {description} ":
                        total += _WHOLE_DESCRIPTION
                    else:
                        total += _PART_LABELS
                elif word in description:
                    total += _WHOLE_DESCRIPTION if whole in f" {description} " else _PART_DESCRIPTION
                elif word in rest:
                    total += _WHOLE_REST if whole in f" {rest} " else _PART_REST
                else:
                    break  # not in any one field (score_fields' 0)
            else:
                append((-round(total / count, 3), "task", task_id, position))
    return scored


def _document_hits(documents: list[Document], words: list[str], scored: list[tuple[float, str, str, int]],
                   items: list[Row | Document]) -> None:
    """Add the documents holding every word to rank_rows' ``scored`` (negated score, kind, id, position in ``items``)."""
    for document in documents:
        fields = {"id": document.id.lower(), "title": document.title.lower(), "labels": " ".join(document.tags).lower(),
                  "description": document.body.lower()}
        score = score_fields(fields, words)
        if score:
            scored.append((-score, "document", document.id, len(items)))
            items.append(document)


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
