"""What ``task edit`` can change, validated before anything is written.

``TaskEdit`` collects the requested changes; ``apply_edit`` applies them to a Task in
memory (inside the store's per-task lock) and raises UsageError naming every bad
criterion number, so a bad request writes nothing.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from flowops.backlog.model import Task
from flowops.backlog.sections import Comment, Criterion
from flowops.errors import UsageError


@dataclass
class TaskEdit:
    """What ``task edit`` changes: a field left None (an empty list for the add, check and remove ones) stays as it is."""

    title: str | None = None
    description: str | None = None
    status: str | None = None  # already canonical (store.canonical_status)
    assignees: list[str] | None = None
    labels: list[str] | None = None
    add_labels: list[str] = field(default_factory=list)
    remove_labels: list[str] = field(default_factory=list)
    priority: str | None = None
    type: str | None = None
    due_date: str | None = None
    ordinal: float | None = None
    milestone: str | None = None
    add_ac: list[str] = field(default_factory=list)
    check_ac: list[int] = field(default_factory=list)
    uncheck_ac: list[int] = field(default_factory=list)
    remove_ac: list[int] = field(default_factory=list)
    add_dod: list[str] = field(default_factory=list)
    check_dod: list[int] = field(default_factory=list)
    uncheck_dod: list[int] = field(default_factory=list)
    remove_dod: list[int] = field(default_factory=list)
    plan: str | None = None
    notes: str | None = None
    append_notes: list[str] = field(default_factory=list)
    final_summary: str | None = None
    append_final_summary: list[str] = field(default_factory=list)
    comment: str | None = None
    comment_author: str | None = None
    comment_created: str | None = None
    dependencies: list[str] | None = None
    references: list[str] | None = None
    documentation: list[str] | None = None

    def is_empty(self) -> bool:
        return self == TaskEdit()


def _check_indexes(kind: str, numbers: list[int], count: int, task_id: str) -> list[str]:
    bad = sorted({n for n in numbers if n < 1 or n > count})
    if not bad:
        return []
    available = f"#1..#{count}" if count else "none"
    return [f"{kind} #{n} does not exist on {task_id} (available: {available})" for n in bad]


def validate_edit(task: Task, edit: TaskEdit) -> None:
    """Raise UsageError listing every criterion number that does not exist."""
    # As in Backlog.md: removals use the numbers before the edit; checks and unchecks use
    # the numbers after removals and additions (so `--ac new --check-ac 4` works).
    problems: list[str] = []
    for kind, items, remove, add, check in (
        ("acceptance criterion", task.acceptance_criteria, edit.remove_ac, edit.add_ac, edit.check_ac + edit.uncheck_ac),
        ("Definition of Done item", task.definition_of_done, edit.remove_dod, edit.add_dod, edit.check_dod + edit.uncheck_dod),
    ):
        problems += _check_indexes(kind, remove, len(items), task.id)
        after = len(items) - len({n for n in remove if 1 <= n <= len(items)}) + len(add)
        problems += _check_indexes(kind, check, after, task.id)
    both = set(edit.check_ac) & set(edit.uncheck_ac)
    if both:
        problems.append(f"acceptance criteria {sorted(both)} are both checked and unchecked in one command")
    for text in edit.add_ac + edit.add_dod:
        if "\n" in text or "\r" in text:
            problems.append(f"a criterion must be one line: {text!r}")
        if not text.strip():
            problems.append("a criterion cannot be empty")
    if edit.title is not None and not edit.title.strip():
        problems.append("the title cannot be empty")
    problems += _value_problems(edit)
    if problems:
        raise UsageError(
            "; ".join(problems),
            hint=f"`flowops task view {task.id} --plain` shows the criteria and their numbers; nothing was changed",
        )


def _value_problems(edit: TaskEdit) -> list[str]:
    """Values that could not be written and read back exactly (line breaks, undecodable bytes, NUL)."""
    from flowops.backlog.values import line_problem, text_problem

    problems: list[str] = []
    one_line: dict[str, Iterable[str | None] | None] = {
        "title": [edit.title], "status": [edit.status], "priority": [edit.priority], "type": [edit.type],
        "due date": [edit.due_date], "milestone": [edit.milestone], "assignee": edit.assignees, "label": edit.labels,
        "added label": edit.add_labels, "removed label": edit.remove_labels, "dependency": edit.dependencies,
        "reference": edit.references, "documentation": edit.documentation, "comment author": [edit.comment_author],
    }
    for name, values in one_line.items():
        for value in values or ():
            problem = line_problem(value) if value is not None else None
            if problem:
                problems.append(f"{name} {value!r} {problem}")
    texts: dict[str, Iterable[str | None] | None] = {
        "description": [edit.description], "plan": [edit.plan], "notes": [edit.notes], "appended notes": edit.append_notes,
        "final summary": [edit.final_summary], "appended final summary": edit.append_final_summary, "comment": [edit.comment],
        "acceptance criterion": edit.add_ac, "Definition of Done item": edit.add_dod,
    }
    for name, values in texts.items():
        for value in values or ():
            problem = text_problem(value) if value is not None else None
            if problem:
                problems.append(f"{name} {problem}")
    return problems


def apply_edit(task: Task, edit: TaskEdit) -> None:
    """Apply ``edit`` to ``task`` (validated first; see validate_edit for how numbers are read)."""
    validate_edit(task, edit)
    _apply_scalars(task, edit)
    _apply_lists(task, edit)
    task.acceptance_criteria = _edit_checklist(task.acceptance_criteria, edit.check_ac, edit.uncheck_ac, edit.remove_ac, edit.add_ac)
    task.definition_of_done = _edit_checklist(task.definition_of_done, edit.check_dod, edit.uncheck_dod, edit.remove_dod, edit.add_dod)
    _apply_sections(task, edit)


def _apply_scalars(task: Task, edit: TaskEdit) -> None:
    if edit.title is not None:
        task.title = edit.title.strip()
    if edit.description is not None:
        task.description = edit.description.strip()
    if edit.status is not None:
        task.status = edit.status
    if edit.priority is not None:
        task.priority = edit.priority.lower() or None
    if edit.type is not None:
        task.type = edit.type or None
    if edit.due_date is not None:
        task.due_date = edit.due_date or None
    if edit.ordinal is not None:
        task.ordinal = int(edit.ordinal) if float(edit.ordinal).is_integer() else edit.ordinal
    if edit.milestone is not None:
        task.milestone = edit.milestone or None


def _apply_lists(task: Task, edit: TaskEdit) -> None:
    if edit.assignees is not None:
        task.assignees = _unique(edit.assignees)
    if edit.labels is not None:
        task.labels = _unique(edit.labels)
    if edit.add_labels:
        task.labels = _unique(task.labels + edit.add_labels)
    if edit.remove_labels:
        drop = {label.strip() for label in edit.remove_labels}
        task.labels = [label for label in task.labels if label not in drop]
    if edit.dependencies is not None:
        task.dependencies = _unique(edit.dependencies)
    if edit.references is not None:
        task.references = _unique(edit.references)
    if edit.documentation is not None:
        task.documentation = _unique(edit.documentation)


def _apply_sections(task: Task, edit: TaskEdit) -> None:
    if edit.plan is not None:
        task.implementation_plan = edit.plan.strip() or None
    if edit.notes is not None:
        task.implementation_notes = edit.notes.strip() or None
    for text in edit.append_notes:
        task.implementation_notes = _append(task.implementation_notes, text)
    if edit.final_summary is not None:
        task.final_summary = edit.final_summary.strip() or None
    for text in edit.append_final_summary:
        task.final_summary = _append(task.final_summary, text)
    if edit.comment is not None and edit.comment.strip():
        task.comments = task.comments + [
            Comment(len(task.comments) + 1, edit.comment.strip(), edit.comment_author, edit.comment_created or "")
        ]


def _edit_checklist(items: list[Criterion], check: list[int], uncheck: list[int], remove: list[int], add: list[str]) -> list[Criterion]:
    drop = set(remove)
    result = [Criterion(c.index, c.text, c.checked) for n, c in enumerate(items, 1) if n not in drop]
    result += [Criterion(0, text.strip()) for text in add]
    for number in check:
        result[number - 1].checked = True
    for number in uncheck:
        result[number - 1].checked = False
    for n, criterion in enumerate(result, 1):
        criterion.index = n
    return result


def _append(existing: str | None, text: str) -> str:
    text = text.strip()
    if not existing or not existing.strip():
        return text
    return f"{existing.rstrip()}\n\n{text}"


def _unique(items: list[str]) -> list[str]:
    out: list[str] = []
    for item in items:
        item = item.strip()
        if item and item not in out:
            out.append(item)
    return out
