"""Acceptance criteria across tasks: which are still unchecked, and which are too vague to check.

``unchecked`` serves ``flowops ac check`` (exit 3 while any is open); ``lint_tasks``
serves ``flowops ac lint`` and runs every ``lint_criterion`` rule once per distinct
criterion text: playbook criteria repeat across features, and in a big backlog the
same wording comes back often.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from flowops.acceptance.lint import Finding, lint_text
from flowops.backlog.model import Task

if TYPE_CHECKING:
    from flowops.backlog.store import Backlog
    from flowops.plugins import Plugins


@dataclass(frozen=True)
class TaskCriteria:
    """One task's acceptance criteria as (number, text, checked)."""

    task_id: str
    title: str
    criteria: tuple[tuple[int, str, bool], ...]

    @property
    def unchecked(self) -> list[tuple[int, str]]:
        return [(number, text) for number, text, checked in self.criteria if not checked]

    def to_dict(self) -> dict:
        return {
            "id": self.task_id,
            "title": self.title,
            "checked": len(self.criteria) - len(self.unchecked),
            "total": len(self.criteria),
            "unchecked": [{"number": number, "text": text} for number, text in self.unchecked],
        }


@dataclass
class CheckReport:
    tasks: list[TaskCriteria]

    @property
    def unchecked_count(self) -> int:
        return sum(len(task.unchecked) for task in self.tasks)

    @property
    def all_checked(self) -> bool:
        return self.unchecked_count == 0

    def to_dict(self) -> dict:
        return {"all_checked": self.all_checked, "unchecked": self.unchecked_count, "tasks": [t.to_dict() for t in self.tasks]}


def task_criteria(task: Task) -> TaskCriteria:
    return TaskCriteria(task.id, task.title, tuple((c.index, c.text, c.checked) for c in task.acceptance_criteria))


def check_criteria(backlog: Backlog, task_id: str, *, recursive: bool = False) -> CheckReport:
    """The criteria of ``task_id`` (and, with ``recursive``, of all its subtasks, depth first)."""
    root = backlog.get(task_id)
    tasks = [root]
    if recursive:
        tasks += descendants(backlog, root)
    return CheckReport([task_criteria(task) for task in tasks])


def descendants(backlog: Backlog, task: Task) -> list[Task]:
    """Every subtask of ``task``, its subtasks' subtasks and so on, depth first in id order."""
    found: list[Task] = []
    seen = {task.id}

    def visit(parent: Task) -> None:
        for child in backlog.subtasks(parent):
            if child.id not in seen:  # a hand-edited parent cycle must not loop forever
                seen.add(child.id)
                found.append(child)
                visit(child)

    visit(task)
    return found


@dataclass(frozen=True)
class LintHit:
    """One finding about one criterion of one task."""

    task_id: str
    title: str
    number: int
    text: str
    finding: Finding

    def to_dict(self) -> dict:
        # Spelled out rather than Finding.to_dict(): dataclasses.asdict costs ~40 us a call,
        # which adds up to half a second for `ac lint --all --json` on a big backlog.
        finding = self.finding
        return {"task_id": self.task_id, "title": self.title, "criterion": self.number, "text": self.text,
                "rule": finding.rule, "message": finding.message, "suggestion": finding.suggestion}


@dataclass
class LintReport:
    tasks: int = 0
    criteria: int = 0
    hits: list[LintHit] = field(default_factory=list)

    @property
    def flagged(self) -> int:
        """How many criteria have at least one finding."""
        return len({(hit.task_id, hit.number) for hit in self.hits})

    def to_dict(self) -> dict:
        return {"tasks": self.tasks, "criteria": self.criteria, "flagged": self.flagged,
                "findings": [hit.to_dict() for hit in self.hits]}


def lint_tasks(tasks: Iterable[Task], plugins: Plugins) -> LintReport:
    """Lint every acceptance criterion of ``tasks`` with every ``lint_criterion`` rule."""
    report = LintReport()
    seen: dict[str, list[Finding]] = {}
    for task in tasks:
        report.tasks += 1
        for criterion in task.acceptance_criteria:
            report.criteria += 1
            findings = seen.get(criterion.text)
            if findings is None:
                findings = seen[criterion.text] = lint_text(criterion.text, plugins)
            report.hits.extend(LintHit(task.id, task.title, criterion.index, criterion.text, f) for f in findings)
    return report
