"""Full-text search over tasks and documents, ranked.

Every word of the query must appear somewhere in a task (id, title, description,
criteria, notes, labels, comments). The score favours matches in the id and title,
then labels, then the description, then the rest, so the likely task comes first.
"""

from __future__ import annotations

from dataclasses import dataclass

from flowops.backlog.model import Document, Task

_FIELD_WEIGHTS = (("id", 1.0), ("title", 1.0), ("labels", 0.8), ("description", 0.7), ("rest", 0.5))


@dataclass
class Hit:
    score: float
    item: Task | Document

    @property
    def kind(self) -> str:
        return "task" if isinstance(self.item, Task) else "document"


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
        for name, weight in _FIELD_WEIGHTS:
            text = fields.get(name, "")
            if word in text:
                # A whole-word match counts fully, a part of a word a bit less.
                bonus = 1.0 if f" {word} " in f" {text} " else 0.85
                best = max(best, weight * bonus)
        if best == 0.0:
            return 0.0
        total += best
    return round(total / len(words), 3)


def search(tasks: list[Task], documents: list[Document], query: str, *, limit: int | None = None) -> list[Hit]:
    words = query.lower().split()
    if not words:
        return []
    hits: list[Hit] = []
    for task in tasks:
        score = score_fields(task_fields(task), words)
        if score:
            hits.append(Hit(score, task))
    for document in documents:
        fields = {"id": document.id.lower(), "title": document.title.lower(), "labels": " ".join(document.tags).lower(),
                  "description": document.body.lower()}
        score = score_fields(fields, words)
        if score:
            hits.append(Hit(score, document))
    hits.sort(key=lambda h: (-h.score, h.kind, h.item.id))
    return hits[:limit] if limit else hits
